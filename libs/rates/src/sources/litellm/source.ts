import { fetchJson } from '../fetch-json';
import type { ListSourceDefinition } from '../list-source';
import { parseLiteLlmPrices } from './parse';

export const DEFAULT_LITELLM_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';

/** LiteLLM's price file: direct provider ids of most providers (the default source for them). */
export const liteLlmSource: ListSourceDefinition = {
  firstFor: [],
  fetch: async (settings, options) => parseLiteLlmPrices(await fetchJson(settings.liteLlmUrl ?? DEFAULT_LITELLM_URL, options)),
  snapshot: {
    takenOn: '2026-08-01',
    provenance:
      'LiteLLM model_prices_and_context_window.json taken 2026-08-01 (fixtures/litellm-model-prices-2026-08-01.json, MIT, see fixtures/PROVENANCE.md)',
    build: (readFixture) => parseLiteLlmPrices(readFixture('litellm-model-prices-2026-08-01.json')),
  },
};
