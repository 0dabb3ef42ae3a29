import { Decimal, ZERO } from '@tollgate/money';
import { roundLine } from './round-line';

/** A coupon applicable to this invoice (a `once` coupon already used on a finalized invoice is not passed). */
export type Coupon =
  | { readonly id: string; readonly kind: 'fixed'; readonly amount: Decimal }
  /** `percent` is in percent: "10" is 10% of the sum so far. */
  | { readonly id: string; readonly kind: 'percentage'; readonly percent: Decimal };

const HUNDRED = new Decimal(100);

/**
 * Step 7: the deduction one coupon makes from the sum of the lines so far (≥ 0): a fixed amount, or a
 * percentage of that sum, never more than the sum (an invoice is not taken below zero). The cap compares the
 * deduction as the line will show it (rounded by the invoice rule); a capped deduction is the sum itself.
 */
export function couponDeduction(coupon: Coupon, sumSoFar: Decimal, currency: string): Decimal {
  const precise = coupon.kind === 'fixed' ? coupon.amount : sumSoFar.times(coupon.percent).div(HUNDRED);
  if (precise.lt(0)) throw new RangeError(`coupon ${coupon.id} has a negative value`);
  const cap = Decimal.max(sumSoFar, ZERO);
  return roundLine(precise, currency).gt(cap) ? cap : precise;
}
