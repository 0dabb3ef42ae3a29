import { Decimal } from './decimal';

// Plain decimal notation only: no exponent, no sign other than a leading minus, no spaces, no "NaN".
const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_STRING.test(value);
}

/** A decimal string ("12.34", "-0.5") as a Decimal; null for anything else, including JSON numbers. */
export function parseDecimal(value: unknown): Decimal | null {
  return isDecimalString(value) ? new Decimal(value) : null;
}

/** Digits after the decimal point as written ("1.50" has 2), which is what a currency's exponent bounds. */
export function writtenDecimalPlaces(value: string): number {
  const point = value.indexOf('.');
  return point < 0 ? 0 : value.length - point - 1;
}
