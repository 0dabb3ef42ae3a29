/** Where an entitlement check's answer came from: the api's memory, the stored row, or computed now. */
export type EntitlementAnswer = 'memory' | 'stored' | 'computed';

/**
 * What the entitlement check tells whoever measures it (the api's /metrics). Optional: a use case run without it
 * measures nothing.
 */
export interface EntitlementMetrics {
  entitlementChecked(answer: EntitlementAnswer): void;
}

export const ENTITLEMENT_METRICS = Symbol('entitlementMetrics');
