/**
 * What pricing tells whoever measures it (the worker's /metrics). Optional: the api prices nothing, and a use
 * case run without it measures nothing.
 */
export interface PricingMetrics {
  /** A batch's pricing committed: events newly priced and left unpriced, and the priced ones' seconds from received to priced. */
  batchPriced(priced: number, unpriced: number, lagSeconds: readonly number[]): void;
  /** A batch was quarantined with this many of its events. */
  batchQuarantined(events: number): void;
  /** Postgres refused the amounts of this many events (out of range): left unpriced so the rest of their batch is priced. */
  eventsRefused(events: number): void;
}

export const PRICING_METRICS = Symbol('pricingMetrics');
