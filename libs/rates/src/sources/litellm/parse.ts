import type { PriceTier, Prices, UsageDimension } from '@tollgate/pricing';
import { decimalFromJsonNumber } from '../../decimal-text';
import { cardKey, type RateCard } from '../../rate-card';
import { MalformedSourceError, UnusableEntryError, type ParsedSource } from '../../source-errors';
import { modelIdFor, providerFor, providerPriority } from './providers';

/** LiteLLM price keys -> usage dimensions. Priority/flex/batch service tiers are not list prices of a plain call. */
export const LITELLM_PRICE_KEYS: Readonly<Record<string, UsageDimension>> = {
  input_cost_per_token: 'input_tokens',
  output_cost_per_token: 'output_tokens',
  cache_read_input_token_cost: 'cache_read_tokens',
  cache_creation_input_token_cost: 'cache_write_tokens',
  cache_creation_input_token_cost_above_1hr: 'cache_write_1h_tokens',
  output_cost_per_reasoning_token: 'reasoning_tokens',
  input_cost_per_audio_token: 'audio_input_tokens',
  output_cost_per_audio_token: 'audio_output_tokens',
  input_cost_per_image: 'images',
  input_cost_per_request: 'requests',
  search_context_cost_per_query: 'web_searches',
};

/** Modes whose calls are priced per token like a chat call. */
export const LITELLM_TOKEN_MODES: ReadonlySet<string> = new Set(['chat', 'completion', 'responses', 'realtime']);

// `…_above_200k_tokens`: a tier over 200,000 prompt tokens, i.e. from 200,001 (docs/design.md "Rate cards").
const TIER_KEY = /^(.+)_above_(\d+)k_tokens$/;

export interface LiteLlmParsed extends ParsedSource {
  /** Entries LiteLLM lists for another (provider, model) already taken by a higher-priority route. */
  readonly duplicates: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function readPrice(key: string, raw: unknown) {
  // search_context_cost_per_query is {low, medium, high}; LiteLLM's default search context size is medium.
  const value = isObject(raw) ? raw.search_context_size_medium : raw;
  const price = decimalFromJsonNumber(value);
  if (price === null) throw new UnusableEntryError(`${key} is not a number: ${JSON.stringify(raw)}`);
  if (price.isNegative()) throw new UnusableEntryError(`${key} is negative`);
  return price;
}

function readEntry(entry: Json): { prices: Prices; tiers: PriceTier[] } {
  const prices: Prices = {};
  const tiers = new Map<bigint, Prices>();
  for (const [key, raw] of Object.entries(entry)) {
    const base = LITELLM_PRICE_KEYS[key];
    if (base !== undefined) {
      prices[base] = readPrice(key, raw);
      continue;
    }
    const tier = TIER_KEY.exec(key);
    const dimension = tier ? LITELLM_PRICE_KEYS[tier[1]!] : undefined;
    if (tier === null || dimension === undefined) continue;
    const min = BigInt(tier[2]!) * 1000n + 1n;
    tiers.set(min, { ...tiers.get(min), [dimension]: readPrice(key, raw) });
  }
  return {
    prices,
    tiers: [...tiers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([minPromptTokens, p]) => ({ minPromptTokens, prices: p })),
  };
}

/**
 * LiteLLM's model_prices_and_context_window.json -> rate cards for token-priced chat/completion models.
 * Floats become exact decimals from their shortest text. Entries of other modes (embedding, image, audio…),
 * without an input or output price, or for provisioned throughput are skipped with the reason.
 */
export function parseLiteLlmPrices(body: unknown): LiteLlmParsed {
  if (!isObject(body)) throw new MalformedSourceError('LiteLLM: body is not an object');
  const chosen = new Map<string, { card: RateCard; priority: number }>();
  const skipped: LiteLlmParsed['skipped'] = [];
  let duplicates = 0;
  for (const [key, entry] of Object.entries(body)) {
    if (key === 'sample_spec') continue;
    if (!isObject(entry)) throw new MalformedSourceError(`LiteLLM: entry ${key} is not an object`);
    const mode = typeof entry.mode === 'string' ? entry.mode : '(none)';
    const litellmProvider = typeof entry.litellm_provider === 'string' ? entry.litellm_provider : '';
    if (!LITELLM_TOKEN_MODES.has(mode)) {
      skipped.push({ id: key, reason: `mode ${mode} is not priced per chat token` });
      continue;
    }
    if (entry.input_cost_per_token === undefined || entry.output_cost_per_token === undefined) {
      skipped.push({ id: key, reason: 'no input_cost_per_token or output_cost_per_token' });
      continue;
    }
    if (litellmProvider === '') {
      skipped.push({ id: key, reason: 'no litellm_provider' });
      continue;
    }
    if (/-commitment\//.test(key)) {
      skipped.push({ id: key, reason: 'provisioned throughput commitment, not on-demand' });
      continue;
    }
    let parsed: { prices: Prices; tiers: PriceTier[] };
    try {
      parsed = readEntry(entry);
    } catch (reason) {
      if (!(reason instanceof UnusableEntryError)) throw reason;
      skipped.push({ id: key, reason: reason.message });
      continue;
    }
    const provider = providerFor(litellmProvider);
    const card: RateCard = { provider, model: modelIdFor(key, litellmProvider, provider), source: 'litellm', ...parsed };
    const priority = providerPriority(litellmProvider);
    const existing = chosen.get(cardKey(card));
    if (existing !== undefined) {
      duplicates += 1;
      if (existing.priority <= priority) continue;
    }
    chosen.set(cardKey(card), { card, priority });
  }
  return { cards: [...chosen.values()].map((c) => c.card), skipped, duplicates };
}
