// Exact rational arithmetic on bigints: an oracle for the policy's decimal results in property tests.

export interface Rational {
  readonly n: bigint;
  readonly d: bigint; // > 0
}

const abs = (x: bigint) => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

export function rational(n: bigint, d = 1n): Rational {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
}

/** From a plain decimal string such as "-12.3400". */
export function fromDecimal(text: string): Rational {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const n = BigInt(whole + fraction) * (negative ? -1n : 1n);
  return rational(n, 10n ** BigInt(fraction.length));
}

export const add = (a: Rational, b: Rational) => rational(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational) => rational(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational) => rational(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational) => rational(a.n * b.d, a.d * b.n);
export const cmp = (a: Rational, b: Rational) => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const max = (a: Rational, b: Rational) => (cmp(a, b) >= 0 ? a : b);

/** Rounds to `places` decimals, ties away from zero; the result as a plain decimal string. */
export function roundHalfAwayFromZero(x: Rational, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = abs(x.n) * scale; // |x| × 10^places = scaled / d
  let q = scaled / x.d;
  if ((scaled % x.d) * 2n >= x.d) q += 1n;
  const digits = q.toString().padStart(places + 1, '0');
  const body = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return (x.n < 0n && q !== 0n ? '-' : '') + body;
}

/** Whether a rational equals a decimal string exactly. */
export function equalsDecimal(x: Rational, text: string): boolean {
  return cmp(x, fromDecimal(text)) === 0;
}
