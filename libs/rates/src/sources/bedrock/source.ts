import type { ParsedSource } from '../../source-errors';
import { fetchJson, joinUrl, type FetchOptions } from '../fetch-json';
import type { ListSourceDefinition } from '../list-source';
import { mergeBedrockCards, parseBedrockPriceList, parseBedrockRegionIndex, type BedrockParseOptions } from './parse';
import type { BedrockOffer } from './units';

export const DEFAULT_AWS_PRICING_BASE_URL = 'https://pricing.us-east-1.amazonaws.com';
/** Regions whose price files are read (each file is large); configurable. */
export const DEFAULT_BEDROCK_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'];
// Earlier offers win when both price a model: the foundation-models offer carries the current Claude models.
const OFFERS: readonly BedrockOffer[] = ['AmazonBedrockFoundationModels', 'AmazonBedrock'];

export interface BedrockFetchOptions extends FetchOptions, BedrockParseOptions {
  readonly baseUrl?: string;
  readonly regions?: readonly string[];
  readonly offers?: readonly BedrockOffer[];
}

/** AWS Price List bulk files: each offer's region index, then the price file of each configured region. */
export async function fetchBedrockCards(options: BedrockFetchOptions = {}): Promise<ParsedSource> {
  const base = options.baseUrl ?? DEFAULT_AWS_PRICING_BASE_URL;
  const regions = options.regions ?? DEFAULT_BEDROCK_REGIONS;
  const parts: ParsedSource[] = [];
  for (const offer of options.offers ?? OFFERS) {
    const index = parseBedrockRegionIndex(await fetchJson(joinUrl(base, `/offers/v1.0/aws/${offer}/current/region_index.json`), options));
    const byRegion = new Map(index.map((r) => [r.regionCode, r.url]));
    for (const region of regions) {
      const url = byRegion.get(region);
      if (url !== undefined) parts.push(parseBedrockPriceList(await fetchJson(joinUrl(base, url), options), options));
    }
  }
  return mergeBedrockCards(parts);
}

/** The AWS Price List bulk files for Amazon Bedrock (no key): the prices of provider "bedrock". */
export const bedrockSource: ListSourceDefinition = {
  firstFor: ['bedrock'],
  fetch: (settings, options) => fetchBedrockCards({ ...options, baseUrl: settings.awsPricingBaseUrl, regions: settings.bedrockRegions }),
  snapshot: {
    takenOn: '2026-08-01',
    provenance: 'Hand-made AWS Price List bulk files in AWS format (fixtures/aws-bedrock, see fixtures/PROVENANCE.md): illustrative prices',
    build(readFixture) {
      const parts: ParsedSource[] = [];
      for (const offer of OFFERS) {
        const index = parseBedrockRegionIndex(readFixture(`aws-bedrock/offers/v1.0/aws/${offer}/current/region_index.json`));
        for (const region of index) parts.push(parseBedrockPriceList(readFixture(`aws-bedrock${region.url}`)));
      }
      return mergeBedrockCards(parts);
    },
  },
};
