import { Decimal, ONE, ZERO } from '@tollgate/money';
import { providerCost, USAGE_DIMENSIONS, type Charge, type Prices, type Usage } from '@tollgate/pricing';

// What a provider price change would have done to a period's usage (docs/design.md "Analytics"). Pure.

/** A card's prices as stored (USD per token, decimal strings keyed by dimension). */
export function pricesOf(json: Record<string, string>): Prices {
  const prices: Prices = {};
  for (const d of USAGE_DIMENSIONS) if (json[d] !== undefined) prices[d] = new Decimal(json[d]);
  return prices;
}

/** The usage's cost at `prices` (base prices: a period's sums carry no request's prompt size for a tier); null if they cannot price it. */
function costAt(usage: Usage, prices: Prices): Decimal | null {
  try {
    return providerCost(usage, { prices, tiers: [] }).total;
  } catch {
    return null;
  }
}

export interface ChargeImpact {
  costBefore: Decimal;
  costAfter: Decimal;
  /** What the customer would be billed more (less) for it: a price-mode charge's markup and the discount follow the cost. */
  revenueChange: Decimal;
}

/**
 * The same usage priced before and after: the cost change, and the rated amount's change under its charge (price
 * mode: cost change × (1 + markup) × (1 − discount); token mode bills tokens: nothing changes). Margin floors,
 * allowance and fees are left aside: an estimate of the change, not a re-invoice.
 */
export function chargeImpact(usage: Usage, before: Prices, after: Prices, charge: Charge | null, discount: Decimal): ChargeImpact | null {
  const costBefore = costAt(usage, before);
  const costAfter = costAt(usage, after);
  if (costBefore === null || costAfter === null) return null;
  const change = costAfter.minus(costBefore);
  const revenueChange = charge?.mode === 'price' ? change.times(ONE.plus(charge.markup)).times(ONE.minus(discount)) : ZERO;
  return { costBefore, costAfter, revenueChange };
}
