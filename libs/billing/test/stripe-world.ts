import type { PlanInput } from '@tollgate/pricing';
import { StripeRetryableError, StripeGateway, type StripeInvoice } from '@tollgate/stripe';
import { StripeTestServer, type DatabaseProbe, type InvoiceObject } from '@tollgate/testing';
import { CreateCoupon } from '../src/coupons/create-coupon';
import { CloseCustomerPeriod } from '../src/invoices/close-customer-period';
import { PushInvoiceToStripe, type PushResult } from '../src/stripe/push-invoice-to-stripe';
import { startBillingWorld, type BillingWorld } from './billing-world';

// The Stripe push's medium tests: the billing use cases on a fresh database with the push on, pointed at the
// project's Stripe-compatible test server through the real `stripe` SDK, and invoices finalized the way an
// operator's "close now" finalizes them.

export const WEBHOOK_SECRET = 'whsec_tollgate_push_tests';

/** Base fee, allowance, two charges: an invoice with usage lines, a negative allowance line and a fee. */
export const PUSH_PLAN: PlanInput = {
  code: 'pushed',
  name: 'Pushed',
  currency: 'USD',
  interval: 'month',
  base_fee: '9.00',
  included_usage: '1.00',
  grace_period_hours: 0,
  requires_approval: false,
  charges: [
    { name: 'premium', models: ['*o3*'], mode: 'price', markup: '0.5', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.3', allowance_eligible: true },
  ],
};

export interface StripeWorld extends BillingWorld {
  server: StripeTestServer;
  probe: DatabaseProbe;
  /** A new customer's period, with usage and a coupon, closed now and finalized: its invoice id. */
  finalizedInvoice(customer: string, fields?: Record<string, unknown>): Promise<string>;
  /** Runs the push as the queue would: again after each retryable error, until it ends. */
  pushUntilEnded(invoiceId: string, maxRetries?: number): Promise<{ result: PushResult; retries: StripeRetryableError[] }>;
  /** Stripe's invoices that name ours in their metadata. */
  stripeInvoicesOf(invoiceId: string): InvoiceObject[];
  /** Stripe's invoice with every line, read through the gateway. */
  stripeInvoice(stripeInvoiceId: string): Promise<StripeInvoice>;
}

export async function startStripeWorld(env: Record<string, string> = {}): Promise<StripeWorld> {
  const server = await new StripeTestServer().start();
  const world = await startBillingWorld('2026-06-15T00:00:00Z', {
    STRIPE_SECRET_KEY: 'sk_test_tollgatepush',
    STRIPE_API_BASE: server.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // A timed-out call is given up after a second: the tests' faults include answers that never come.
    STRIPE_TIMEOUT_SECONDS: '1',
    STRIPE_REQUESTS_PER_SECOND: '1000',
    STRIPE_ENDPOINT_REQUESTS_PER_SECOND: '0',
    ...env,
  });
  await world.plan(PUSH_PLAN);
  return {
    ...world,
    server,
    probe: world.billing.probe,
    async finalizedInvoice(customer, fields = {}) {
      await world.customer(customer, { plan_code: 'pushed', ...fields });
      await world.get(CreateCoupon).execute({
        organizationId: world.organizationId,
        externalId: customer,
        kind: 'fixed',
        value: '0.50',
        frequency: 'once',
        expiresAt: null,
      });
      await world.usage(customer, '2026-06-14T00:00:00Z', 'gold-o3', 1_000_000, 250_000); // $4.00 cost, $6.00 rated
      await world.usage(customer, '2026-06-14T01:00:00Z', 'gold-mini', 2_000_000, 1_000_000); // $2.50 cost, $3.25 rated
      const invoice = await world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId: customer });
      if (invoice.status !== 'finalized') throw new Error(`the close left a ${invoice.status} invoice`);
      return invoice.id!;
    },
    async pushUntilEnded(invoiceId, maxRetries = 20) {
      const retries: StripeRetryableError[] = [];
      for (;;) {
        try {
          const result = await world.get(PushInvoiceToStripe).execute({ invoiceId });
          if (result.outcome !== 'busy') return { result, retries };
        } catch (err) {
          if (!(err instanceof StripeRetryableError) || retries.length >= maxRetries) throw err;
          retries.push(err);
        }
      }
    },
    stripeInvoicesOf(invoiceId) {
      return server.invoices().filter((i) => i.metadata.tollgate_invoice_id === invoiceId);
    },
    stripeInvoice(stripeInvoiceId) {
      return world.get(StripeGateway).retrieveInvoice(stripeInvoiceId);
    },
    async close() {
      await world.close();
      await server.close();
    },
  };
}
