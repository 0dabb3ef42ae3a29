export { cardKey, hasRequiredPrices, type RateCard, type RateSource, type RateVersion } from './rate-card';
export { isListSource, LIST_SOURCE_REGISTRY, LIST_SOURCES, listSourcesOf, RATE_SOURCES, type ListSource } from './sources/registry';
export type { ListSourceDefinition, SourceSettings } from './sources/list-source';
export { rateCardFromJson, rateCardToJson, type RateCardJson } from './rate-card-json';
export { samePrices, pricesEqual } from './prices-equal';
export { decimalFromJsonNumber, decimalFromText } from './decimal-text';
export { MalformedSourceError, SourceFetchError, type ParsedSource, type SkippedEntry } from './source-errors';
export { DEFAULT_SOURCE_ORDER, parseSourceOrder, sourcesFor, type SourceOrder } from './source-order';
export { OPENROUTER_PRICE_KEYS, parseOpenRouterModels, type OpenRouterParsed } from './sources/openrouter/parse';
export { LITELLM_PRICE_KEYS, LITELLM_TOKEN_MODES, parseLiteLlmPrices, type LiteLlmParsed } from './sources/litellm/parse';
export { LITELLM_PROVIDERS } from './sources/litellm/providers';
export {
  bedrockCardModel,
  mergeBedrockCards,
  parseBedrockPriceList,
  parseBedrockRegionIndex,
  type BedrockParseOptions,
} from './sources/bedrock/parse';
export { DEFAULT_BEDROCK_MODEL_NAMES } from './sources/bedrock/model-names';
export { BEDROCK_OFFERS, tokensPerUnit, type BedrockOffer } from './sources/bedrock/units';
export { fetchJson, type FetchOptions } from './sources/fetch-json';
export { DEFAULT_OPENROUTER_BASE_URL } from './sources/openrouter/source';
export { DEFAULT_LITELLM_URL } from './sources/litellm/source';
export {
  DEFAULT_AWS_PRICING_BASE_URL,
  DEFAULT_BEDROCK_REGIONS,
  fetchBedrockCards,
  type BedrockFetchOptions,
} from './sources/bedrock/source';
export { diffCards, type CardDiff } from './sync/diff';
export { priceMovesBeyond, type PriceMove } from './sync/price-moves';
export { DEFAULT_SYNC_POLICY, syncVerdict, type SyncPolicy, type SyncVerdict } from './sync/verdict';
export { runSourceSync, type SyncResult } from './sync/run-sync';
export { RateCache } from './cache/rate-cache';
export {
  normalizeProvider,
  resolveModel,
  type ModelRef,
  type RateCatalog,
  type Resolution,
  type ResolveOptions,
  type ResolveRule,
} from './resolve/resolve-model';
export { DEFAULT_BEDROCK_GEOGRAPHIES, parseBedrockModelId, type BedrockModelRef } from './resolve/bedrock-id';
export { undatedModel } from './resolve/dated-snapshot';
export { snapshotCards, snapshotVersions, type SnapshotFile } from './snapshot/snapshot-file';
export { bundledSnapshot } from './snapshot/bundled';
export { RateBook, type RateBookOptions, type RateLookupResult } from './rate-book';
export { RatesModule } from './rates.module';
export { SyncRates, type SourceSummary, type SyncSourcesConfig } from './sync/sync-rates';
export { cardFromRow, cardToRow, contentHash, versionFromRow } from './store/version-rows';
export { convertPrices, fromApiPrice, toApiPrice } from './units/per-million';
