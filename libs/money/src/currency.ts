// ISO 4217 minor-unit exponents of the currencies Stripe settles in; the list is what we accept (a table, kept
// grouped by exponent).
// prettier-ignore
const EXPONENTS = {
  USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, SGD: 2, HKD: 2, SEK: 2, NOK: 2, DKK: 2,
  PLN: 2, CZK: 2, RON: 2, MXN: 2, BRL: 2, INR: 2, CNY: 2, ZAR: 2, AED: 2, SAR: 2, ILS: 2, TRY: 2,
  THB: 2, MYR: 2, PHP: 2, IDR: 2, TWD: 2,
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, XAF: 0, XOF: 0,
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3,
} as const satisfies Record<string, number>;

/** An ISO 4217 code of the table above. */
export type CurrencyCode = keyof typeof EXPONENTS;

/** Every currency a plan may be in (ISO 4217 codes). */
export const CURRENCIES: readonly string[] = Object.keys(EXPONENTS);

/** A code of the table. (Narrowing to the codes, not to `string`, keeps a string that fails typed as a string.) */
export function isCurrency(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(EXPONENTS, code);
}

/** Decimal places of the currency's minor unit: USD 2 (cents), JPY 0, KWD 3. */
export function currencyExponent(code: string): number {
  const exponent = isCurrency(code) ? EXPONENTS[code] : undefined;
  if (exponent === undefined) throw new Error(`unknown currency "${code}"`);
  return exponent;
}
