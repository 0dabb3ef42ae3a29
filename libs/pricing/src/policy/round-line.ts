import { halfAwayFromZero, roundToMinorUnit, type Decimal } from '@tollgate/money';

/** The invoice rounding rule (docs/design.md): half away from zero, to the currency's minor unit, once per line. */
export function roundLine(amount: Decimal, currency: string): Decimal {
  return roundToMinorUnit(amount, currency, halfAwayFromZero);
}
