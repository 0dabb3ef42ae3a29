import type Stripe from 'stripe';

/**
 * The Stripe API version every call pins (the `Stripe-Version` header): the one stripe 23.1.0 targets. Typed
 * as the SDK's latest version, so upgrading the package without revisiting this line fails the typecheck.
 * It has POST /v1/invoices/{id}/add_lines (added in 2024-09-30.acacia).
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';
