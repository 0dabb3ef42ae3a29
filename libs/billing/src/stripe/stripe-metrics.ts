/**
 * What the Stripe push and webhooks tell whoever measures them (the worker's and the api's /metrics). Optional:
 * a use case run without it measures nothing.
 */
export interface StripeMetrics {
  /** A push ended: done (Stripe has the invoice, finalized), failed (stopped with an alert), voided. The worker's only. */
  pushEnded?(outcome: 'done' | 'failed' | 'voided'): void;
  /** Something an operator must look at: a push that stopped, a payment for an invoice voided here. */
  alert(reason: StripeAlertReason): void;
}

export type StripeAlertReason = 'push_failed' | 'mismatch' | 'paid_after_void';

export const STRIPE_METRICS = Symbol('stripeMetrics');
