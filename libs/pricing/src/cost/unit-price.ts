import type Decimal from 'decimal.js';
import { PRICE_FALLBACKS, type UsageDimension } from '../dimensions';
import type { Prices } from './price-sheet';

export interface UnitPrice {
  readonly price: Decimal | null;
  /** The dimension whose price was used, or null when the chain ends without one (price 0 for counts). */
  readonly from: UsageDimension | null;
}

/**
 * A dimension's price from the prices in force (a tier's prices laid over the base prices): its own price,
 * else the first price along its fallback chain. `price` is null only when the chain ends with nothing;
 * for input and output that means the card is incomplete.
 */
export function unitPrice(prices: Prices, dimension: UsageDimension): UnitPrice {
  const own = prices[dimension];
  if (own !== undefined) return { price: own, from: dimension };
  for (const fallback of PRICE_FALLBACKS[dimension]) {
    const price = prices[fallback];
    if (price !== undefined) return { price, from: fallback };
  }
  return { price: null, from: null };
}
