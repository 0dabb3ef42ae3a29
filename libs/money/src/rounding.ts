import { Decimal as DecimalJs } from 'decimal.js';
import { Decimal } from './decimal';
import { currencyExponent } from './currency';

/** Rounds an amount to `places` decimal places. Each strategy is named so a caller says which rule it uses. */
export type RoundingStrategy = (amount: Decimal, places: number) => Decimal;

/** Ties go away from zero: 0.125 → 0.13, −0.125 → −0.13. The invoice rule (docs/design.md). */
export const halfAwayFromZero: RoundingStrategy = (amount, places) => amount.toDecimalPlaces(places, DecimalJs.ROUND_HALF_UP);

/** Ties go to the even neighbour (banker's rounding): 0.125 → 0.12, 0.135 → 0.14. */
export const halfEven: RoundingStrategy = (amount, places) => amount.toDecimalPlaces(places, DecimalJs.ROUND_HALF_EVEN);

/** Towards zero (truncation): 0.129 → 0.12, −0.129 → −0.12. For amounts one may not exceed. */
export const down: RoundingStrategy = (amount, places) => amount.toDecimalPlaces(places, DecimalJs.ROUND_DOWN);

/** The amount in whole minor units of the currency (cents for USD, yen for JPY) under the given strategy. */
export function roundToMinorUnit(amount: Decimal, currency: string, strategy: RoundingStrategy): Decimal {
  return new Decimal(strategy(amount, currencyExponent(currency)));
}
