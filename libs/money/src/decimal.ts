import { Decimal as DecimalJs } from 'decimal.js';

// NOTE: a dedicated clone, so nobody's global Decimal.set() changes money arithmetic. 100 significant digits
// hold any product of numeric(65,30) values we form (a sum of costs times a markup or a discount) without
// intermediate rounding; exponent notation is off so toString() is always a plain decimal string.
const CONFIG = {
  precision: 100,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
} as const;

export const Decimal: DecimalJs.Constructor = DecimalJs.clone(CONFIG);
export type Decimal = DecimalJs;

// Only for quotients that may not terminate: rounding up keeps a floor from undershooting.
const DecimalCeil: DecimalJs.Constructor = DecimalJs.clone({ ...CONFIG, rounding: DecimalJs.ROUND_CEIL });

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);

/**
 * numerator / denominator, never below the exact quotient: exact when the quotient terminates within
 * 100 significant digits, otherwise rounded up at the 100th digit.
 */
export function divideRoundingUp(numerator: Decimal, denominator: Decimal): Decimal {
  return new Decimal(new DecimalCeil(numerator).div(denominator));
}
