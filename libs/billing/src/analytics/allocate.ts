// Splitting an invoice amount over what it billed (docs/design.md "Analytics"): whole minor units, pro rata to
// weights, the remainder by largest remainder (ties to the earlier share), so the shares add up to the amount
// exactly and the same inputs always give the same split.

const PLACES = 30;
const ZEROS = '0'.repeat(PLACES);
const SCALE = 10n ** BigInt(PLACES);

/**
 * A decimal string (up to 30 places) as an integer scaled by 10^30: one BigInt parse of its digits (a report turns
 * tens of thousands of sums into integers).
 */
export function scaledWeight(value: string): bigint {
  const dot = value.indexOf('.');
  if (dot < 0) return BigInt(value) * SCALE;
  const fraction = value.slice(dot + 1, dot + 1 + PLACES);
  return BigInt(value.slice(0, dot) + fraction + ZEROS.slice(fraction.length));
}

/**
 * Splits `amount` (minor units, any sign) pro rata to `weights` (non-negative); all weights 0 splits it equally.
 * An empty list of weights cannot take an amount: the caller keeps it elsewhere.
 */
export function allocate(amount: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) throw new Error('nothing to allocate to');
  if (amount < 0n) return allocate(-amount, weights).map((s) => -s);
  const total = weights.reduce((a, w) => a + w, 0n);
  const w = total === 0n ? weights.map(() => 1n) : weights;
  const sum = total === 0n ? BigInt(weights.length) : total;
  const shares = w.map((x) => (amount * x) / sum);
  let left = amount - shares.reduce((a, s) => a + s, 0n);
  if (left > 0n) {
    const order = w.map((x, i) => ({ i, r: (amount * x) % sum })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (const { i } of order) {
      if (left === 0n) break;
      shares[i] += 1n;
      left -= 1n;
    }
  }
  return shares;
}
