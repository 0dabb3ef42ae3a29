import type Decimal from 'decimal.js';
import { USAGE_DIMENSIONS, type Prices } from '@tollgate/pricing';
import type { RateCard } from '../rate-card';

export interface PriceMove {
  readonly provider: string;
  readonly model: string;
  /** `input_tokens`, or `input_tokens@200001` for a tier's price. */
  readonly price: string;
  readonly before: string;
  readonly after: string;
}

/** after/before beyond the factor either way; 0 -> non-zero (or back) is beyond any factor. */
function movesBeyond(before: Decimal, after: Decimal, factor: number): boolean {
  if (before.isZero() || after.isZero()) return !before.eq(after);
  const ratio = after.dividedBy(before);
  return ratio.greaterThan(factor) || ratio.lessThan(1 / factor);
}

function comparePrices(before: Prices, after: Prices, label: string, factor: number, out: string[][]): void {
  for (const dimension of USAGE_DIMENSIONS) {
    const a = before[dimension];
    const b = after[dimension];
    if (a !== undefined && b !== undefined && movesBeyond(a, b, factor)) out.push([`${dimension}${label}`, a.toFixed(), b.toFixed()]);
  }
}

/** Prices of a changed card that moved by more than `factor` (10 = tenfold) up or down. */
export function priceMovesBeyond(before: RateCard, after: RateCard, factor: number): PriceMove[] {
  const found: string[][] = [];
  comparePrices(before.prices, after.prices, '', factor, found);
  for (const tier of after.tiers) {
    const old = before.tiers.find((t) => t.minPromptTokens === tier.minPromptTokens);
    if (old !== undefined) comparePrices(old.prices, tier.prices, `@${tier.minPromptTokens}`, factor, found);
  }
  return found.map(([price, b, a]) => ({ provider: after.provider, model: after.model, price: price!, before: b!, after: a! }));
}
