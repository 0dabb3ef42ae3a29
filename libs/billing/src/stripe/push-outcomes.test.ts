import { startBillingWorld } from '../../test/billing-world';
import { PUSH_PLAN, startStripeWorld, type StripeWorld } from '../../test/stripe-world';
import { CreateCoupon } from '../coupons/create-coupon';
import { CloseCustomerPeriod } from '../invoices/close-customer-period';
import { VoidInvoice } from '../invoices/void-invoice';
import { PushInvoiceToStripe } from './push-invoice-to-stripe';
import { StripePushes } from './stripe-pushes';

// What a push ends in besides done: an invoice with nothing due (paid on Stripe and here), a difference between
// Stripe's invoice and ours (stopped before finalizing, with an alert), a void (Stripe's voided, its draft
// deleted, or nothing made; never left open), and no push at all without a Stripe key.

let world: StripeWorld;
let n = 0;

beforeAll(async () => {
  world = await startStripeWorld();
});

afterAll(async () => {
  await world?.close();
});

const pushRow = async (invoiceId: string) =>
  (
    await world.probe.rows<{ state: string; failed_step: string | null; failure: string | null }>(
      'SELECT state, failed_step, failure FROM stripe_pushes WHERE invoice_id = $1',
      [invoiceId],
    )
  )[0];

const invoiceRow = async (invoiceId: string) =>
  (
    await world.probe.rows<{ status: string; stripe_invoice_id: string | null; stripe_status: string | null }>(
      'SELECT status, stripe_invoice_id, stripe_status FROM invoices WHERE id = $1',
      [invoiceId],
    )
  )[0];

const webhookEvents = (invoiceId: string, type: string) =>
  world.probe.rows<{ payload: Record<string, unknown> }>(`SELECT payload FROM webhook_events WHERE type = $1 AND subject_key = $2`, [
    type,
    `invoice:${invoiceId}`,
  ]);

const voidInvoice = (invoiceId: string) =>
  world.get(VoidInvoice).execute({ organizationId: world.organizationId, invoiceId, reason: 'billed in error' });

describe('an invoice with nothing due', () => {
  it('is pushed, paid on Stripe at finalization, and so paid here (invoice.paid)', async () => {
    const customer = `zero-${n++}`;
    await world.customer(customer, { plan_code: 'pushed' });
    // A coupon larger than the invoice: it takes the total to zero, never below.
    await world.get(CreateCoupon).execute({
      organizationId: world.organizationId,
      externalId: customer,
      kind: 'fixed',
      value: '1000',
      frequency: 'once',
      expiresAt: null,
    });
    await world.usage(customer, '2026-06-14T00:00:00Z', 'gold-mini', 1_000_000, 0);
    const closed = await world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId: customer });
    expect(closed.total.isZero()).toBe(true);
    const invoiceId = closed.id!;
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'done' });
    const [stripeInvoice] = world.stripeInvoicesOf(invoiceId);
    expect(stripeInvoice).toMatchObject({ status: 'paid', total: 0, amount_due: 0 });
    expect(await invoiceRow(invoiceId)).toEqual({ status: 'paid', stripe_invoice_id: stripeInvoice.id, stripe_status: 'paid' });
    expect(await webhookEvents(invoiceId, 'invoice.paid')).toEqual([
      { payload: expect.objectContaining({ source: 'stripe', total: '0.00' }) },
    ]);
  });
});

describe('a difference between Stripe and us', () => {
  it('stops the push before finalizing: failed with the reason, invoice.push_failed, the draft never finalized', async () => {
    const invoiceId = await world.finalizedInvoice(`mismatch-${n++}`);
    // The draft is made, then someone adds a line on Stripe before ours go in.
    world.server.injectFault({ kind: 'server_error', operation: 'invoices.add_lines' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ reason: 'server_error' });
    const { stripe_invoice_id: stripeId } = await invoiceRow(invoiceId);
    world.server.ledger.addLines(stripeId!, { lines: { 0: { amount: '100', description: 'Stray item' } } });

    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'failed' });
    expect(await pushRow(invoiceId)).toEqual({
      state: 'failed',
      failed_step: 'lines',
      failure: expect.stringMatching(
        /^Stripe's invoice differs from ours: Stripe has a line we do not: il_\w+ \("Stray item", 1\); total: Stripe/,
      ),
    });
    expect(world.stripeInvoicesOf(invoiceId).map((i) => i.status)).toEqual(['draft']);
    expect(await webhookEvents(invoiceId, 'invoice.push_failed')).toEqual([
      { payload: expect.objectContaining({ invoice_id: invoiceId, step: 'lines', reason: expect.stringContaining('Stray item') }) },
    ]);
    // Stopped for good: another run calls nothing.
    const mark = world.server.requests.length;
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'failed' });
    expect(world.server.requests.length).toBe(mark);
  });

  it('refuses, before sending anything, an amount that is not whole cents', async () => {
    const invoiceId = await world.finalizedInvoice(`sub-cent-${n++}`);
    await world.probe.rows(`UPDATE invoice_lines SET amount = amount + 0.001 WHERE invoice_id = $1 AND position = 0`, [invoiceId]);
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'failed' });
    expect(await pushRow(invoiceId)).toMatchObject({
      failed_step: 'lines',
      failure: expect.stringMatching(/^invalid_amount: .*round the line first/),
    });
    const { stripe_invoice_id: stripeId } = await invoiceRow(invoiceId);
    expect(world.server.requests.filter((r) => r.path === `/v1/invoices/${stripeId}/add_lines`)).toEqual([]);
    expect(world.stripeInvoicesOf(invoiceId).map((i) => i.status)).toEqual(['draft']);
  });
});

describe('voiding a pushed invoice', () => {
  it('voids the open Stripe invoice too, once, even through a 500', async () => {
    const invoiceId = await world.finalizedInvoice(`void-open-${n++}`);
    await world.pushUntilEnded(invoiceId);
    await voidInvoice(invoiceId);
    world.server.injectFault({ kind: 'server_error', operation: 'invoices.void' });
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'voided' });
    const [stripeInvoice] = world.stripeInvoicesOf(invoiceId);
    expect(stripeInvoice.status).toBe('void');
    expect(await invoiceRow(invoiceId)).toEqual({ status: 'void', stripe_invoice_id: stripeInvoice.id, stripe_status: 'void' });
    expect(world.server.requests.filter((r) => r.operation === 'invoices.void' && r.status === 200)).toHaveLength(1);
  });

  it('makes nothing on Stripe when the invoice is voided before its push began', async () => {
    const invoiceId = await world.finalizedInvoice(`void-early-${n++}`);
    await voidInvoice(invoiceId);
    const mark = world.server.requests.length;
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'voided' });
    expect(world.server.requests.length).toBe(mark);
    expect(world.stripeInvoicesOf(invoiceId)).toEqual([]);
  });

  it("deletes Stripe's draft when voided between the create and the lines", async () => {
    const invoiceId = await world.finalizedInvoice(`void-draft-${n++}`);
    world.server.injectFault({ kind: 'server_error', operation: 'invoices.add_lines' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ reason: 'server_error' });
    const { stripe_invoice_id: stripeId } = await invoiceRow(invoiceId);
    await voidInvoice(invoiceId);
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'voided' });
    expect(world.stripeInvoicesOf(invoiceId)).toEqual([]);
    expect(await invoiceRow(invoiceId)).toEqual({ status: 'void', stripe_invoice_id: stripeId, stripe_status: 'deleted' });
  });

  it('finds and deletes the draft of a create whose answer was lost', async () => {
    const invoiceId = await world.finalizedInvoice(`void-lost-${n++}`);
    world.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.create' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ reason: 'timeout' });
    expect(world.stripeInvoicesOf(invoiceId).map((i) => i.status)).toEqual(['draft']);
    await voidInvoice(invoiceId);
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'voided' });
    expect(world.stripeInvoicesOf(invoiceId)).toEqual([]);
    expect((await invoiceRow(invoiceId)).stripe_status).toBe('deleted');
  });

  it('stops with an alert when Stripe collected the invoice before the void reached it', async () => {
    const invoiceId = await world.finalizedInvoice(`void-paid-${n++}`);
    await world.pushUntilEnded(invoiceId);
    const [stripeInvoice] = world.stripeInvoicesOf(invoiceId);
    world.server.payInvoice(stripeInvoice.id);
    await voidInvoice(invoiceId);
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'failed' });
    expect(await pushRow(invoiceId)).toEqual({
      state: 'failed',
      failed_step: 'void',
      failure: `our invoice was voided but Stripe's ${stripeInvoice.id} is paid: refund it on Stripe`,
    });
    expect(world.stripeInvoicesOf(invoiceId)[0].status).toBe('paid');
    expect(await webhookEvents(invoiceId, 'invoice.push_failed')).toEqual([{ payload: expect.objectContaining({ step: 'void' }) }]);
  });
});

describe('without a Stripe key', () => {
  it('pushes nothing: no push is opened, invoices stay in Tollgate', async () => {
    const off = await startBillingWorld('2026-06-15T00:00:00Z');
    try {
      await off.plan(PUSH_PLAN);
      await off.customer('local', { plan_code: 'pushed' });
      await off.usage('local', '2026-06-14T00:00:00Z', 'gold-mini', 1_000_000, 0);
      const invoice = await off.get(CloseCustomerPeriod).execute({ organizationId: off.organizationId, externalId: 'local' });
      expect(invoice.status).toBe('finalized');
      expect(off.get(StripePushes).enabled).toBe(false);
      expect(await off.billing.probe.count('stripe_pushes')).toBe(0);
      expect(await off.get(PushInvoiceToStripe).execute({ invoiceId: invoice.id! })).toEqual({ outcome: 'none' });
      expect(invoice.stripe_invoice_id).toBeNull();
    } finally {
      await off.close();
    }
  });
});
