import { Decimal, ZERO } from '@tollgate/money';

export interface AllowanceCandidate {
  /** The usage line's rounded amount. */
  readonly amount: Decimal;
  readonly allowanceEligible: boolean;
}

/**
 * Step 4: the included usage (an amount per period) is consumed by the allowance-eligible usage lines in plan
 * order, each up to its rounded amount, until it runs out. Returns the amount consumed (≥ 0); the invoice
 * shows it as one negative `allowance` line.
 */
export function allowanceConsumed(lines: readonly AllowanceCandidate[], includedUsage: Decimal): Decimal {
  let left = includedUsage;
  let consumed = ZERO;
  for (const line of lines) {
    if (!line.allowanceEligible || left.isZero()) continue;
    const take = Decimal.min(left, line.amount);
    consumed = consumed.plus(take);
    left = left.minus(take);
  }
  return consumed;
}
