import { exact, type PriceTier, type Prices } from '@tollgate/pricing';
import { isUsageDimension } from '@tollgate/pricing';
import type { RateCard, RateSource } from './rate-card';
import { RATE_SOURCES } from './sources/registry';

/** A rate card as JSON: decimal strings in USD per token (per unit for counts), snake_case keys. */
export interface RateCardJson {
  provider: string;
  model: string;
  source: RateSource;
  prices: Record<string, string>;
  tiers: { min_prompt_tokens: number; prices: Record<string, string> }[];
}

function pricesToJson(prices: Prices): Record<string, string> {
  return Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, v!.toFixed()]));
}

function pricesFromJson(json: Record<string, string>): Prices {
  const prices: Prices = {};
  for (const [key, value] of Object.entries(json)) {
    if (!isUsageDimension(key)) throw new Error(`unknown usage dimension ${key}`);
    prices[key] = exact(value);
  }
  return prices;
}

export function rateCardToJson(card: RateCard): RateCardJson {
  return {
    provider: card.provider,
    model: card.model,
    source: card.source,
    prices: pricesToJson(card.prices),
    tiers: card.tiers.map((t) => ({ min_prompt_tokens: Number(t.minPromptTokens), prices: pricesToJson(t.prices) })),
  };
}

export function rateCardFromJson(json: RateCardJson): RateCard {
  if (!(RATE_SOURCES as readonly string[]).includes(json.source)) throw new Error(`unknown rate source ${json.source}`);
  const tiers: PriceTier[] = json.tiers.map((t) => ({
    minPromptTokens: BigInt(t.min_prompt_tokens),
    prices: pricesFromJson(t.prices),
  }));
  return { provider: json.provider, model: json.model, source: json.source, prices: pricesFromJson(json.prices), tiers };
}
