import { currencyExponent, isDecimalString } from '@tollgate/money';

/**
 * A decimal string as people read money: "$1,234.50", "-€3.00", "¥1,230". Exact: the digits are the string's
 * own (never through a float), padded to the currency's places; more places than the currency has (a live,
 * unrounded amount) are kept, never rounded here (amounts are rounded once, at the invoice line).
 */
export function formatMoney(amount: string, currency: string, locale = 'en-US'): string {
  if (!isDecimalString(amount)) throw new Error(`not a decimal amount: ${JSON.stringify(amount)}`);
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const places = Math.max(currencyExponent(currency), fraction.replace(/0+$/, '').length);
  const digits = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const number = places > 0 ? `${digits}.${fraction.padEnd(places, '0').slice(0, places)}` : digits;
  const symbol = currencySymbol(currency, locale);
  const isZero = /^[0.]*$/.test(whole + fraction);
  return `${negative && !isZero ? '-' : ''}${symbol}${number}`;
}

const symbols = new Map<string, string>();

/** "$", "€", "CHF " — the locale's symbol, a code followed by a space where it has none. */
export function currencySymbol(currency: string, locale = 'en-US'): string {
  const key = `${locale}:${currency}`;
  let symbol = symbols.get(key);
  if (symbol === undefined) {
    const part = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(0).find((p) => p.type === 'currency');
    symbol = part === undefined || part.value === currency ? `${currency} ` : part.value;
    symbols.set(key, symbol);
  }
  return symbol;
}
