import { Decimal, ZERO } from '@tollgate/money';
import { COUNT_DIMENSIONS, PRICE_FALLBACKS, USAGE_DIMENSIONS, type Usage, type UsageDimension } from '../dimensions';

const MILLION = new Decimal(1_000_000);

/** A token-mode charge's price per token (per unit for counts) for every dimension that has one. */
export type TokenUnitPrices = ReadonlyArray<readonly [UsageDimension, Decimal]>;

/**
 * Resolves a charge's token_prices (per million tokens, per unit for counts) into per-token prices, with
 * the rate-card fallback: cache and audio input at the input price, reasoning and audio output at the
 * output price, counts without a price at 0 (left out).
 */
export function tokenUnitPrices(tokenPrices: Readonly<Partial<Record<UsageDimension, Decimal>>>): TokenUnitPrices {
  const resolved: Array<readonly [UsageDimension, Decimal]> = [];
  for (const dimension of USAGE_DIMENSIONS) {
    const from = [dimension, ...PRICE_FALLBACKS[dimension]].find((d) => tokenPrices[d] !== undefined);
    if (from === undefined) continue;
    const price = tokenPrices[from]!;
    // Dividing by 10^6 only shifts the decimal point: exact.
    resolved.push([dimension, COUNT_DIMENSIONS.includes(dimension) ? price : price.div(MILLION)]);
  }
  return resolved;
}

/** Token mode: Σ quantity × the plan's unit price, exact and unrounded. */
export function rateTokenMode(usage: Usage, prices: TokenUnitPrices): Decimal {
  let rated = ZERO;
  for (const [dimension, price] of prices) {
    const quantity = usage[dimension];
    if (quantity !== 0n) rated = rated.plus(price.times(quantity.toString()));
  }
  return rated;
}
