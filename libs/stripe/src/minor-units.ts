import { currencyExponent, Decimal } from '@tollgate/money';

/** An amount that is not a whole number of the currency's minor unit, or too large for Stripe's integer amounts. */
export class NotMinorUnitsError extends Error {}

/**
 * "12.30" USD -> 1230, "-5" JPY -> -5. The amount must already be an invoice line rounded to the minor unit
 * (DESIGN: rounded once, at the line): converting never rounds, it refuses.
 */
export function toMinorUnits(amount: Decimal, currency: string): number {
  const minor = amount.times(new Decimal(10).pow(currencyExponent(currency)));
  if (!minor.isInteger()) {
    throw new NotMinorUnitsError(`${amount.toFixed()} ${currency} is not a whole number of minor units; round the line first`);
  }
  if (minor.abs().greaterThan(Number.MAX_SAFE_INTEGER)) {
    throw new NotMinorUnitsError(`${amount.toFixed()} ${currency} is beyond the integer amounts Stripe takes`);
  }
  // An integer within 2^53 is exact as a JavaScript number, which is what Stripe's `amount` is.
  return minor.toNumber();
}

/** Stripe's integer minor units back to a Decimal in major units: 1230 USD -> 12.3. */
export function fromMinorUnits(minor: number, currency: string): Decimal {
  if (!Number.isSafeInteger(minor)) throw new NotMinorUnitsError(`Stripe sent a non-integer amount ${minor}`);
  return new Decimal(minor).div(new Decimal(10).pow(currencyExponent(currency)));
}

/** Stripe writes currencies in lower case; Tollgate (and @tollgate/money) in upper case. */
export function tollgateCurrency(stripeCurrency: string): string {
  return stripeCurrency.toUpperCase();
}
