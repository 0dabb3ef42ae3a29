import { ONE, type Decimal } from '@tollgate/money';

/** Step 2: the customer's discount (0.10 = 10% off) on a usage line's rated amount. */
export function applyDiscount(rated: Decimal, discount: Decimal): Decimal {
  if (discount.lt(0) || discount.gt(1)) throw new RangeError(`discount ${discount.toFixed()} is not within 0..1`);
  return rated.times(ONE.minus(discount));
}
