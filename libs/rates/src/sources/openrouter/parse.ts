import type Decimal from 'decimal.js';
import type { PriceTier, Prices, UsageDimension } from '@tollgate/pricing';
import { decimalFromText } from '../../decimal-text';
import type { RateCard } from '../../rate-card';
import { MalformedSourceError, UnusableEntryError, type ParsedSource } from '../../source-errors';

/** OpenRouter pricing keys -> usage dimensions (docs/design.md "Usage dimensions"). */
export const OPENROUTER_PRICE_KEYS: Readonly<Record<string, UsageDimension>> = {
  prompt: 'input_tokens',
  completion: 'output_tokens',
  input_cache_read: 'cache_read_tokens',
  input_cache_write: 'cache_write_tokens',
  input_cache_write_1h: 'cache_write_1h_tokens',
  internal_reasoning: 'reasoning_tokens',
  audio: 'audio_input_tokens',
  audio_output: 'audio_output_tokens',
  image: 'images',
  web_search: 'web_searches',
  request: 'requests',
};

export interface OpenRouterParsed extends ParsedSource {
  /** `canonical_slug` -> id where they differ: the names OpenRouter may echo back for the same card. */
  readonly aliases: { alias: string; provider: 'openrouter'; model: string }[];
  /** Pricing keys with no usage dimension (e.g. `input_audio_cache`, `image_output`), with their counts. */
  readonly ignoredKeys: Record<string, number>;
  /** Override entries conditioned on a time window (`utc_start`/`utc_end`): not applied, counted. */
  readonly timeWindowOverrides: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one pricing object; throws UnusableEntryError with the reason for the skip report. */
function readPrices(pricing: Json, ignoredKeys: Record<string, number>): Prices {
  const prices: Prices = {};
  for (const [key, raw] of Object.entries(pricing)) {
    if (key === 'overrides' || key === 'min_prompt_tokens') continue;
    const dimension = OPENROUTER_PRICE_KEYS[key];
    if (dimension === undefined) {
      ignoredKeys[key] = (ignoredKeys[key] ?? 0) + 1;
      continue;
    }
    const price: Decimal | null = decimalFromText(raw);
    if (price === null) throw new UnusableEntryError(`price ${key} is not a decimal string: ${JSON.stringify(raw)}`);
    if (price.isNegative()) throw new UnusableEntryError(`price ${key} is negative (${String(raw)})`);
    prices[dimension] = price;
  }
  return prices;
}

/**
 * OpenRouter's `GET /api/v1/models` body -> rate cards with provider "openrouter" and the OpenRouter id as
 * model (OpenRouter's prices are what OpenRouter charges, whoever serves the model).
 * Prompt-size overrides (`min_prompt_tokens`) become tiers. Overrides conditioned on a time window are not
 * applied: a rate card has no time-of-day prices, so the base price stands (OpenRouter's `usage.cost`
 * stays available as the reported cost).
 */
export function parseOpenRouterModels(body: unknown): OpenRouterParsed {
  if (!isObject(body) || !Array.isArray(body.data)) throw new MalformedSourceError('OpenRouter: body has no data array');
  const result = { cards: [] as RateCard[], skipped: [] as OpenRouterParsed['skipped'], aliases: [] as OpenRouterParsed['aliases'] };
  const ignoredKeys: Record<string, number> = {};
  const timeWindows = { count: 0 };
  for (const model of body.data) {
    if (!isObject(model) || typeof model.id !== 'string' || !isObject(model.pricing)) {
      throw new MalformedSourceError('OpenRouter: a model has no id or pricing');
    }
    const id = model.id;
    const pricing = model.pricing;
    if (pricing.prompt === '-1' || pricing.completion === '-1') {
      result.skipped.push({ id, reason: 'router priced "-1": its price depends on the model it routes to' });
      continue;
    }
    try {
      const prices = readPrices(pricing, ignoredKeys);
      if (prices.input_tokens === undefined || prices.output_tokens === undefined) {
        throw new UnusableEntryError('no prompt or completion price');
      }
      const tiers = readTiers(pricing.overrides, ignoredKeys, timeWindows);
      result.cards.push({ provider: 'openrouter', model: id, source: 'openrouter', prices, tiers });
      if (typeof model.canonical_slug === 'string' && model.canonical_slug !== id) {
        result.aliases.push({ alias: model.canonical_slug, provider: 'openrouter', model: id });
      }
    } catch (reason) {
      if (!(reason instanceof UnusableEntryError)) throw reason;
      result.skipped.push({ id, reason: reason.message });
    }
  }
  return { ...result, ignoredKeys, timeWindowOverrides: timeWindows.count };
}

function readTiers(overrides: unknown, ignoredKeys: Record<string, number>, timeWindows: { count: number }): PriceTier[] {
  if (overrides === undefined || overrides === null) return [];
  if (!Array.isArray(overrides)) throw new UnusableEntryError('overrides is not a list');
  const byThreshold = new Map<bigint, Prices>();
  for (const entry of overrides) {
    if (!isObject(entry)) throw new UnusableEntryError('an override is not an object');
    if ('utc_start' in entry || 'utc_end' in entry) {
      timeWindows.count += 1;
      continue;
    }
    const min = entry.min_prompt_tokens;
    if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0)
      throw new UnusableEntryError('override without a valid min_prompt_tokens');
    // Later entries win per price key (OpenRouter's PricingOverride rule).
    byThreshold.set(BigInt(min), { ...byThreshold.get(BigInt(min)), ...readPrices(entry, ignoredKeys) });
  }
  return [...byThreshold.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([minPromptTokens, prices]) => ({ minPromptTokens, prices }));
}
