import type Decimal from 'decimal.js';
import type { UsageDimension } from '../dimensions';

/** USD per token (per unit for the count dimensions). A dimension absent here falls back (PRICE_FALLBACKS). */
export type Prices = Partial<Record<UsageDimension, Decimal>>;

/** Prompt-size tier: applies to every token of a request whose prompt size reaches `minPromptTokens`. */
export interface PriceTier {
  readonly minPromptTokens: bigint;
  readonly prices: Prices;
}

/** What the cost function needs from a rate card version. */
export interface PriceSheet {
  readonly prices: Prices;
  /** Any order; the highest threshold reached wins. */
  readonly tiers: readonly PriceTier[];
}
