// Builds libs/rates/snapshot/<source>.json for every registered source from its copy in libs/rates/fixtures.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rateCardToJson } from '../src/rate-card-json';
import { LIST_SOURCE_REGISTRY, LIST_SOURCES } from '../src/sources/registry';
import type { SnapshotFile } from '../src/snapshot/snapshot-file';

const root = join(__dirname, '..');
const fixtures = join(root, 'fixtures');
const readFixture = (path: string): unknown => JSON.parse(readFileSync(join(fixtures, path), 'utf8'));

mkdirSync(join(root, 'snapshot'), { recursive: true });
for (const source of LIST_SOURCES) {
  const { snapshot } = LIST_SOURCE_REGISTRY[source];
  const parsed = snapshot.build(readFixture);
  const file: SnapshotFile = {
    source,
    taken_on: snapshot.takenOn,
    provenance: snapshot.provenance,
    cards: parsed.cards.map(rateCardToJson),
    skipped: parsed.skipped.length,
  };
  writeFileSync(join(root, 'snapshot', `${source}.json`), `${JSON.stringify(file)}\n`);
  console.log(`${source}: ${file.cards.length} cards, ${file.skipped} entries skipped`);
}
