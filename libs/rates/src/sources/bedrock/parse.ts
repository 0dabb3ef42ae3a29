import type { Prices } from '@tollgate/pricing';
import { decimalFromText } from '../../decimal-text';
import { cardKey, type RateCard } from '../../rate-card';
import { MalformedSourceError, type ParsedSource, type SkippedEntry } from '../../source-errors';
import { classifyBedrockProduct } from './classify';
import { DEFAULT_BEDROCK_MODEL_NAMES } from './model-names';
import { BEDROCK_OFFERS, tokensPerUnit, type BedrockOffer } from './units';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bedrock cards are keyed `<region>/<model id>`; global (cross-region `global.`) rates use `global/<model id>`. */
export function bedrockCardModel(regionOrGlobal: string, modelId: string): string {
  return `${regionOrGlobal}/${modelId}`;
}

/** `/offers/v1.0/aws/<offer>/current/region_index.json` -> each region's price list URL (relative to the host). */
export function parseBedrockRegionIndex(body: unknown): { regionCode: string; url: string }[] {
  if (!isObject(body) || !isObject(body.regions)) throw new MalformedSourceError('AWS region index: no regions object');
  return Object.values(body.regions).map((region) => {
    if (!isObject(region) || typeof region.regionCode !== 'string' || typeof region.currentVersionUrl !== 'string') {
      throw new MalformedSourceError('AWS region index: a region has no regionCode or currentVersionUrl');
    }
    return { regionCode: region.regionCode, url: region.currentVersionUrl };
  });
}

export interface BedrockParseOptions {
  /** Marketing name -> Bedrock model id (see DEFAULT_BEDROCK_MODEL_NAMES). */
  readonly modelNames?: Readonly<Record<string, string>>;
}

function onDemandPrice(terms: unknown): { usd: string; unit: string } | string {
  if (!isObject(terms)) return 'no OnDemand term';
  for (const term of Object.values(terms)) {
    if (!isObject(term) || !isObject(term.priceDimensions)) continue;
    for (const dimension of Object.values(term.priceDimensions)) {
      if (!isObject(dimension) || !isObject(dimension.pricePerUnit)) continue;
      const usd = dimension.pricePerUnit.USD;
      if (typeof usd === 'string') return { usd, unit: typeof dimension.unit === 'string' ? dimension.unit : '' };
    }
  }
  return 'no USD price dimension';
}

/**
 * One region's price list file of either Bedrock offer -> rate cards (provider "bedrock"), USD per token by
 * exact division of the per-1K / per-1M price. Only on-demand standard token prices are read.
 */
export function parseBedrockPriceList(body: unknown, options: BedrockParseOptions = {}): ParsedSource {
  if (!isObject(body) || !isObject(body.products) || !isObject(body.terms)) {
    throw new MalformedSourceError('AWS price list: no products or terms');
  }
  const offer = body.offerCode as BedrockOffer;
  if (!BEDROCK_OFFERS.includes(offer)) throw new MalformedSourceError(`AWS price list: offer ${String(body.offerCode)} is not Bedrock`);
  const names = options.modelNames ?? DEFAULT_BEDROCK_MODEL_NAMES;
  const onDemand = isObject(body.terms.OnDemand) ? body.terms.OnDemand : {};
  const prices = new Map<string, { provider: 'bedrock'; model: string; prices: Prices }>();
  const skipped: SkippedEntry[] = [];
  for (const [sku, product] of Object.entries(body.products)) {
    if (!isObject(product) || !isObject(product.attributes))
      throw new MalformedSourceError(`AWS price list: product ${sku} has no attributes`);
    const attributes = product.attributes as Record<string, string>;
    const id = `${offer}:${sku}:${attributes.usagetype ?? ''}`;
    const classified = classifyBedrockProduct(offer, attributes);
    if ('skip' in classified) {
      skipped.push({ id, reason: classified.skip });
      continue;
    }
    const modelId = names[classified.name];
    if (modelId === undefined) {
      skipped.push({ id, reason: `no Bedrock model id for "${classified.name}" in the model name table` });
      continue;
    }
    const price = onDemandPrice(onDemand[sku]);
    if (typeof price === 'string') {
      skipped.push({ id, reason: price });
      continue;
    }
    const perUnit = decimalFromText(price.usd);
    const tokens = tokensPerUnit(price.unit, offer);
    if (perUnit === null || perUnit.isNegative()) {
      skipped.push({ id, reason: `price ${price.usd} is not a non-negative decimal` });
      continue;
    }
    if (tokens === null) {
      skipped.push({ id, reason: `unit "${price.unit}" is not a known token unit` });
      continue;
    }
    const region = classified.scope === 'global' ? 'global' : (attributes.regionCode ?? '');
    const model = bedrockCardModel(region, modelId);
    const entry = prices.get(model) ?? { provider: 'bedrock' as const, model, prices: {} };
    entry.prices[classified.dimension] = perUnit.dividedBy(tokens.toString());
    prices.set(model, entry);
  }
  const cards: RateCard[] = [];
  for (const entry of prices.values()) {
    if (entry.prices.input_tokens === undefined || entry.prices.output_tokens === undefined) {
      skipped.push({ id: entry.model, reason: 'no input or output token price' });
      continue;
    }
    cards.push({ ...entry, source: 'bedrock', tiers: [] });
  }
  return { cards, skipped };
}

/**
 * Cards of several region files and both offers, one per (provider, model): global rates are listed in
 * every region's file, so the first file (in the order given) that prices a model wins.
 */
export function mergeBedrockCards(parsed: readonly ParsedSource[]): ParsedSource {
  const cards = new Map<string, RateCard>();
  const skipped: SkippedEntry[] = [];
  for (const part of parsed) {
    skipped.push(...part.skipped);
    for (const card of part.cards) if (!cards.has(cardKey(card))) cards.set(cardKey(card), card);
  }
  return { cards: [...cards.values()], skipped };
}
