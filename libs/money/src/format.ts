import type { Decimal } from './decimal';
import { currencyExponent } from './currency';

/** A rounded amount as the API shows it: exactly the currency's decimal places ("12.30", JPY "1230"). */
export function formatAmount(amount: Decimal, currency: string): string {
  return amount.toFixed(currencyExponent(currency));
}

/** An unrounded amount as an exact plain decimal string (no exponent, no trailing zeros). */
export function formatExact(amount: Decimal): string {
  return amount.toFixed();
}
