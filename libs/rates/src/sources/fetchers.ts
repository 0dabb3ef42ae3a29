import type { ParsedSource } from '../source-errors';
import { mergeBedrockCards, parseBedrockPriceList, parseBedrockRegionIndex, type BedrockParseOptions } from './bedrock/parse';
import type { BedrockOffer } from './bedrock/units';
import { fetchJson, joinUrl, type FetchOptions } from './fetch-json';
import { parseLiteLlmPrices, type LiteLlmParsed } from './litellm/parse';
import { parseOpenRouterModels, type OpenRouterParsed } from './openrouter/parse';

export const DEFAULT_OPENROUTER_BASE_URL = 'https://openrouter.ai';
export const DEFAULT_LITELLM_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
export const DEFAULT_AWS_PRICING_BASE_URL = 'https://pricing.us-east-1.amazonaws.com';
/** Regions whose price files are read (each file is large); configurable. */
export const DEFAULT_BEDROCK_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'];

export async function fetchOpenRouterCards(options: FetchOptions & { baseUrl?: string } = {}): Promise<OpenRouterParsed> {
  return parseOpenRouterModels(await fetchJson(joinUrl(options.baseUrl ?? DEFAULT_OPENROUTER_BASE_URL, '/api/v1/models'), options));
}

export async function fetchLiteLlmCards(options: FetchOptions & { url?: string } = {}): Promise<LiteLlmParsed> {
  return parseLiteLlmPrices(await fetchJson(options.url ?? DEFAULT_LITELLM_URL, options));
}

export interface BedrockFetchOptions extends FetchOptions, BedrockParseOptions {
  readonly baseUrl?: string;
  readonly regions?: readonly string[];
  /** Earlier offers win when both price a model: the foundation-models offer carries the current Claude models. */
  readonly offers?: readonly BedrockOffer[];
}

/** AWS Price List bulk files: each offer's region index, then the price file of each configured region. */
export async function fetchBedrockCards(options: BedrockFetchOptions = {}): Promise<ParsedSource> {
  const base = options.baseUrl ?? DEFAULT_AWS_PRICING_BASE_URL;
  const regions = options.regions ?? DEFAULT_BEDROCK_REGIONS;
  const parts: ParsedSource[] = [];
  for (const offer of options.offers ?? (['AmazonBedrockFoundationModels', 'AmazonBedrock'] as const)) {
    const index = parseBedrockRegionIndex(await fetchJson(joinUrl(base, `/offers/v1.0/aws/${offer}/current/region_index.json`), options));
    const byRegion = new Map(index.map((r) => [r.regionCode, r.url]));
    for (const region of regions) {
      const url = byRegion.get(region);
      if (url !== undefined) parts.push(parseBedrockPriceList(await fetchJson(joinUrl(base, url), options), options));
    }
  }
  return mergeBedrockCards(parts);
}
