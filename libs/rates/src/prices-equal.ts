import type { PriceTier, Prices } from '@tollgate/pricing';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { RateCard } from './rate-card';

export function pricesEqual(a: Prices, b: Prices): boolean {
  for (const dimension of USAGE_DIMENSIONS) {
    const x = a[dimension];
    const y = b[dimension];
    if (x === undefined || y === undefined) {
      if (x !== y) return false;
    } else if (!x.eq(y)) return false;
  }
  return true;
}

function tiersEqual(a: readonly PriceTier[], b: readonly PriceTier[]): boolean {
  return a.length === b.length && a.every((t, i) => t.minPromptTokens === b[i]!.minPromptTokens && pricesEqual(t.prices, b[i]!.prices));
}

/** Same prices and tiers: a sync writes a new version only when this is false. */
export function samePrices(a: Pick<RateCard, 'prices' | 'tiers'>, b: Pick<RateCard, 'prices' | 'tiers'>): boolean {
  return pricesEqual(a.prices, b.prices) && tiersEqual(a.tiers, b.tiers);
}
