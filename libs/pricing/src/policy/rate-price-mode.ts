import { ONE, type Decimal } from '@tollgate/money';

/** Price mode: the event is billed at its provider cost plus the charge's markup (0.30 = +30%). */
export function ratePriceMode(providerCost: Decimal, markup: Decimal): Decimal {
  return providerCost.times(ONE.plus(markup));
}
