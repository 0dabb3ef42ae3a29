import { fetchJson, joinUrl } from '../fetch-json';
import type { ListSourceDefinition } from '../list-source';
import { parseOpenRouterModels } from './parse';

export const DEFAULT_OPENROUTER_BASE_URL = 'https://openrouter.ai';

/** OpenRouter `GET /api/v1/models` (no key): its own ids' prices, and a listing of other providers' models. */
export const openRouterSource: ListSourceDefinition = {
  firstFor: ['openrouter'],
  fetch: async (settings, options) =>
    parseOpenRouterModels(await fetchJson(joinUrl(settings.openRouterBaseUrl ?? DEFAULT_OPENROUTER_BASE_URL, '/api/v1/models'), options)),
  snapshot: {
    takenOn: '2026-08-01',
    provenance:
      'OpenRouter GET /api/v1/models taken 2026-08-01 (fixtures/openrouter-models-2026-08-01.json, MIT, see fixtures/PROVENANCE.md)',
    build: (readFixture) => parseOpenRouterModels(readFixture('openrouter-models-2026-08-01.json')),
  },
};
