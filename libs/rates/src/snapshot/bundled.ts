import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIST_SOURCES } from '../sources/registry';
import type { SnapshotFile } from './snapshot-file';

// libs/rates/snapshot beside the sources (tsx, jest), or from dist/libs/rates/src/snapshot after `npm run build`.
function snapshotDir(): string {
  const candidates = [join(__dirname, '..', '..', 'snapshot'), join(__dirname, '..', '..', '..', '..', '..', 'libs', 'rates', 'snapshot')];
  const found = candidates.find((dir) => existsSync(join(dir, 'openrouter.json')));
  if (found === undefined) throw new Error(`rate snapshot not found in ${candidates.join(' or ')}`);
  return found;
}

/**
 * The snapshot shipped with the code (built by `npm run rates:snapshot` from libs/rates/fixtures), so a
 * fresh install prices offline before its first sync. Read on call: it is half a megabyte of JSON.
 */
export function bundledSnapshot(): SnapshotFile[] {
  const dir = snapshotDir();
  return LIST_SOURCES.map((source) => JSON.parse(readFileSync(join(dir, `${source}.json`), 'utf8')) as SnapshotFile);
}
