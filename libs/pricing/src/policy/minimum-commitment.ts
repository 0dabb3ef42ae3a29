import { ZERO, type Decimal } from '@tollgate/money';

/**
 * Step 6: when usage net of the allowance (the base fee does not count) is below the plan's minimum
 * commitment, the difference is billed. Returns that top-up, 0 when the minimum is met.
 */
export function minimumCommitmentTopUp(usageNetOfAllowance: Decimal, minimum: Decimal): Decimal {
  return usageNetOfAllowance.lt(minimum) ? minimum.minus(usageNetOfAllowance) : ZERO;
}
