import Decimal from 'decimal.js';

/**
 * decimal.js rounds every result to `precision` significant digits (20 by default), which would silently
 * round price × tokens. Prices carry at most a few dozen digits and counts at most 20, so 1,000 digits
 * keeps every product and sum of a rate card exact.
 */
export const ExactDecimal = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_UP });

export function exact(value: Decimal.Value): Decimal {
  return new ExactDecimal(value);
}

export const ZERO: Decimal = exact(0);
