import type { PriceTier, Prices } from '@tollgate/pricing';
import type { RateSource } from './sources/registry';

export type { RateSource };

/** Prices in USD per token (per unit for counts), exact; `input_tokens` and `output_tokens` always present. */
export interface RateCard {
  readonly provider: string;
  readonly model: string;
  readonly source: RateSource;
  readonly prices: Prices;
  /** Sorted by ascending threshold. */
  readonly tiers: readonly PriceTier[];
}

/** One immutable version of a (provider, model, source) card, in force from `effectiveFrom`. */
export interface RateVersion extends RateCard {
  readonly id: string;
  readonly effectiveFrom: Date;
  readonly fetchedAt: Date;
  /** The source stopped listing the model: from `effectiveFrom` this source has no card for it. */
  readonly removed?: boolean;
}

export function cardKey(card: { provider: string; model: string }): string {
  return `${card.provider}\u0000${card.model}`;
}

export function hasRequiredPrices(prices: Prices): boolean {
  return prices.input_tokens !== undefined && prices.output_tokens !== undefined;
}
