/**
 * What ingest tells whoever measures it (the api's /metrics). Optional: a use case run without it measures
 * nothing.
 */
export interface IngestMetrics {
  /** A batch was stored priced (docs/design.md, "Pricing as the batch is stored"): its events, newly priced. */
  pricedAtIngest(events: number): void;
}

export const INGEST_METRICS = Symbol('ingestMetrics');
