import { COUNT_DIMENSIONS, exact, isUsageDimension, type UsageDimension } from '@tollgate/pricing';

// The API shows and takes prices in USD per million tokens (per unit for counts: requests, images, web
// searches); storage and the cost function use USD per token. Exact: a shift of six decimal places.

const MILLION = exact('1000000');
const PER_UNIT = new Set<UsageDimension>(COUNT_DIMENSIONS);

/** A stored per-token price as the API shows it. */
export function toApiPrice(dimension: UsageDimension, perToken: string): string {
  return PER_UNIT.has(dimension) ? exact(perToken).toFixed() : exact(perToken).times(MILLION).toFixed();
}

/** A price the API received, as stored per token. */
export function fromApiPrice(dimension: UsageDimension, shown: string): string {
  return PER_UNIT.has(dimension) ? exact(shown).toFixed() : exact(shown).dividedBy(MILLION).toFixed();
}

/** A price map (dimension -> decimal string) converted one way or the other; unknown keys are refused. */
export function convertPrices(prices: Record<string, string>, convert: (d: UsageDimension, v: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(prices)) {
    if (!isUsageDimension(key)) throw new Error(`unknown usage dimension ${key}`);
    out[key] = convert(key, value);
  }
  return out;
}
