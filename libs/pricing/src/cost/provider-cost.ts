import type Decimal from 'decimal.js';
import { COUNT_DIMENSIONS, USAGE_DIMENSIONS, type Usage, type UsageDimension } from '../dimensions';
import { exact, ZERO } from './exact';
import type { PriceSheet, Prices } from './price-sheet';
import { promptSize } from './prompt-size';
import { selectTier } from './select-tier';
import { unitPrice } from './unit-price';

export interface DimensionCost {
  readonly dimension: UsageDimension;
  readonly quantity: bigint;
  /** USD per token (per unit for counts). */
  readonly unitPrice: Decimal;
  /** Whose price was charged: the dimension itself, a fallback, or null (no price: 0). */
  readonly priceFrom: UsageDimension | null;
  readonly amount: Decimal;
}

export interface ProviderCost {
  /** Exact and unrounded: rounding happens only on invoice lines. */
  readonly total: Decimal;
  readonly promptTokens: bigint;
  /** Threshold of the tier that priced the request, or null for the base prices. */
  readonly tierMinPromptTokens: bigint | null;
  /** One line per dimension with a non-zero quantity, in USAGE_DIMENSIONS order. */
  readonly lines: readonly DimensionCost[];
}

/** A token dimension with usage but no price anywhere on its chain: the card lacks input or output. */
export class IncompletePriceSheetError extends Error {
  constructor(readonly dimension: UsageDimension) {
    super(`rate card has no price for ${dimension} and no fallback`);
    this.name = 'IncompletePriceSheetError';
  }
}

// Counts (images, searches, requests) without a price cost nothing (docs/design.md table).
const COUNTS_PRICED_AT_ZERO = new Set<UsageDimension>(COUNT_DIMENSIONS);

/** Provider cost of one event: Σ quantity × unit price, with the tier rule and the fallback chain. */
export function providerCost(usage: Usage, sheet: PriceSheet): ProviderCost {
  const promptTokens = promptSize(usage);
  const tier = selectTier(sheet.tiers, promptTokens);
  // A price the tier omits is the base price of that dimension; the fallback chain then runs on the merge.
  const prices: Prices = tier === null ? sheet.prices : { ...sheet.prices, ...tier.prices };
  const lines: DimensionCost[] = [];
  let total = ZERO;
  for (const dimension of USAGE_DIMENSIONS) {
    const quantity = usage[dimension];
    if (quantity === 0n) continue;
    const { price, from } = unitPrice(prices, dimension);
    if (price === null && !COUNTS_PRICED_AT_ZERO.has(dimension)) throw new IncompletePriceSheetError(dimension);
    const perUnit = price === null ? ZERO : exact(price);
    const amount = perUnit.times(quantity.toString());
    total = total.plus(amount);
    lines.push({ dimension, quantity, unitPrice: perUnit, priceFrom: from, amount });
  }
  return { total, promptTokens, tierMinPromptTokens: tier?.minPromptTokens ?? null, lines };
}
