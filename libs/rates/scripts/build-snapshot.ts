// Builds libs/rates/snapshot/*.json from the fixture copies in libs/rates/fixtures (never from ../shared).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rateCardToJson } from '../src/rate-card-json';
import { mergeBedrockCards, parseBedrockPriceList, parseBedrockRegionIndex } from '../src/sources/bedrock/parse';
import { parseLiteLlmPrices } from '../src/sources/litellm/parse';
import { parseOpenRouterModels } from '../src/sources/openrouter/parse';
import type { ParsedSource } from '../src/source-errors';
import type { SnapshotFile } from '../src/snapshot/snapshot-file';

const root = join(__dirname, '..');
const fixtures = join(root, 'fixtures');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(fixtures, path), 'utf8'));

function bedrock(): ParsedSource {
  const parts: ParsedSource[] = [];
  for (const offer of ['AmazonBedrockFoundationModels', 'AmazonBedrock']) {
    const base = `aws-bedrock/offers/v1.0/aws/${offer}/current/region_index.json`;
    for (const region of parseBedrockRegionIndex(readJson(base))) parts.push(parseBedrockPriceList(readJson(`aws-bedrock${region.url}`)));
  }
  return mergeBedrockCards(parts);
}

function write(source: SnapshotFile['source'], takenOn: string, provenance: string, parsed: ParsedSource): void {
  const file: SnapshotFile = {
    source,
    taken_on: takenOn,
    provenance,
    cards: parsed.cards.map(rateCardToJson),
    skipped: parsed.skipped.length,
  };
  writeFileSync(join(root, 'snapshot', `${source}.json`), `${JSON.stringify(file)}\n`);
  console.log(`${source}: ${file.cards.length} cards, ${file.skipped} entries skipped`);
}

mkdirSync(join(root, 'snapshot'), { recursive: true });
write(
  'openrouter',
  '2026-08-01',
  'OpenRouter GET /api/v1/models taken 2026-08-01 (fixtures/openrouter-models-2026-08-01.json, MIT, see fixtures/PROVENANCE.md)',
  parseOpenRouterModels(readJson('openrouter-models-2026-08-01.json')),
);
write(
  'litellm',
  '2026-08-01',
  'LiteLLM model_prices_and_context_window.json taken 2026-08-01 (fixtures/litellm-model-prices-2026-08-01.json, MIT, see fixtures/PROVENANCE.md)',
  parseLiteLlmPrices(readJson('litellm-model-prices-2026-08-01.json')),
);
write(
  'bedrock',
  '2026-08-01',
  'Hand-made AWS Price List bulk files in AWS format (fixtures/aws-bedrock, see fixtures/PROVENANCE.md): illustrative prices',
  bedrock(),
);
