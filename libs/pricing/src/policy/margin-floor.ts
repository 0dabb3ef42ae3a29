import { ONE, divideRoundingUp, type Decimal } from '@tollgate/money';

export interface FlooredAmount {
  readonly amount: Decimal;
  /** True only when the floor was strictly higher than the discounted amount. */
  readonly floorApplied: boolean;
}

/**
 * Step 3: line = max(discounted, provider_cost / (1 − f)). No floor (null) leaves the amount as it is; f = 0
 * means never below cost. A quotient that does not terminate is rounded up at the 100th digit, so the
 * floor is never undershot.
 */
export function applyMarginFloor(discounted: Decimal, providerCost: Decimal, floor: Decimal | null): FlooredAmount {
  if (floor === null) return { amount: discounted, floorApplied: false };
  const keep = ONE.minus(floor);
  // Compared without dividing: cost / (1 − f) > discounted ⇔ cost > discounted × (1 − f), since 1 − f > 0.
  if (!providerCost.gt(discounted.times(keep))) return { amount: discounted, floorApplied: false };
  return { amount: divideRoundingUp(providerCost, keep), floorApplied: true };
}
