import { randomUUID } from 'node:crypto';
import { StripePushesRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { PUSH_PLAN, startStripeWorld, type StripeWorld } from '../../test/stripe-world';
import { CloseCustomerPeriod } from '../invoices/close-customer-period';
import { GetInvoice } from '../invoices/get-invoice';
import { invoiceJson } from '../invoices/invoice-view';
import { PushInvoiceToStripe } from './push-invoice-to-stripe';

// A finalized invoice pushed to the Stripe-compatible test server with the real `stripe` SDK: the customer, the
// invoice, its lines in one call, finalization; Stripe's amounts equal ours line by line; the state machine's
// rows and Stripe's request log tell what was called, with which idempotency key.

let world: StripeWorld;

beforeAll(async () => {
  world = await startStripeWorld();
});

afterAll(async () => {
  await world?.close();
});

const ours = async (invoiceId: string) =>
  invoiceJson(await world.get(GetInvoice).execute({ organizationId: world.organizationId, invoiceId }), { costs: true });

const push = (invoiceId: string) =>
  world.probe.rows<{ state: string; stripe_invoice_id: string | null; failure: string | null }>(
    'SELECT state, stripe_invoice_id, failure FROM stripe_pushes WHERE invoice_id = $1',
    [invoiceId],
  );

const minor = (amount: string) => new Decimal(amount).times(100).toNumber();

describe('pushing a finalized invoice', () => {
  it('makes one Stripe invoice with our lines to the cent, finalized, in 4 calls for a new customer and 3 for a known one', async () => {
    const invoiceId = await world.finalizedInvoice('acme', { name: 'Acme', email: 'billing@acme.test' });
    const before = world.server.requests.length;
    const { result, retries } = await world.pushUntilEnded(invoiceId);
    expect(result).toEqual({ outcome: 'ended', state: 'done' });
    expect(retries).toEqual([]);

    const calls = world.server.requests.slice(before);
    expect(calls.map((c) => [c.operation, c.idempotencyKey])).toEqual([
      ['customers.create', expect.stringMatching(/^tollgate:customer:[0-9a-f-]{36}:create$/)],
      ['invoices.create', `tollgate:invoice:${invoiceId}:create`],
      ['invoices.add_lines', `tollgate:invoice:${invoiceId}:lines`],
      ['invoices.finalize', `tollgate:invoice:${invoiceId}:finalize`],
    ]);

    const [stripeInvoice] = world.stripeInvoicesOf(invoiceId);
    expect(world.stripeInvoicesOf(invoiceId)).toHaveLength(1);
    const invoice = await ours(invoiceId);
    expect(invoice).toMatchObject({ status: 'finalized', stripe_invoice_id: stripeInvoice.id, stripe_status: 'open' });
    expect(stripeInvoice).toMatchObject({ status: 'open', collection_method: 'charge_automatically', currency: 'usd' });
    expect(stripeInvoice.total).toBe(minor(invoice.total));

    // Line by line: usage, allowance (negative), base fee, coupon (negative), each with our description.
    const theirs = await world.stripeInvoice(stripeInvoice.id);
    expect(invoice.lines.map((l) => l.type)).toEqual(['usage', 'usage', 'allowance', 'base_fee', 'coupon']);
    expect(theirs.lines.map((l) => [l.description, l.amount.toFixed()])).toEqual(
      invoice.lines.map((l) => [l.description, new Decimal(l.amount).toFixed()]),
    );
    expect(theirs.lines.filter((l) => l.amount.isNegative())).toHaveLength(2);
    expect(theirs.total.toFixed()).toBe(new Decimal(invoice.total).toFixed());

    // The customer is made once and stored: its next invoice costs three calls.
    const [customer] = world.server.customers();
    expect(customer).toMatchObject({ name: 'Acme', email: 'billing@acme.test' });
    expect(await world.probe.rows('SELECT stripe_customer_id FROM customers WHERE external_id = $1', ['acme'])).toEqual([
      { stripe_customer_id: customer.id },
    ]);
    expect(await push(invoiceId)).toEqual([{ state: 'done', stripe_invoice_id: stripeInvoice.id, failure: null }]);

    world.clock.set('2026-07-15T00:00:00Z');
    await world.usage('acme', '2026-07-14T00:00:00Z', 'gold-mini', 1_000_000, 0);
    const next = await world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId: 'acme' });
    const mark = world.server.requests.length;
    await world.pushUntilEnded(next.id!);
    expect(world.server.requests.slice(mark).map((c) => c.operation)).toEqual([
      'invoices.create',
      'invoices.add_lines',
      'invoices.finalize',
    ]);
    expect(world.server.customers()).toHaveLength(1);
    world.clock.set('2026-06-15T00:00:00Z');
  });

  it('sends one usage line when the plan shows the customer a summary, and still matches Stripe to the cent', async () => {
    await world.plan({ ...PUSH_PLAN, code: 'pushed-summary', customer_line_detail: 'summary' });
    const invoiceId = await world.finalizedInvoice('summed', { plan_code: 'pushed-summary' });
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'done' });
    const invoice = await ours(invoiceId);
    expect(invoice.lines.map((l) => l.type)).toEqual(['usage', 'usage', 'allowance', 'base_fee', 'coupon']);
    const usage = invoice.lines.filter((l) => l.type === 'usage').reduce((s, l) => s.plus(l.amount), new Decimal(0));
    const theirs = await world.stripeInvoice(world.stripeInvoicesOf(invoiceId)[0].id);
    expect(theirs.lines.map((l) => [l.description, l.amount.toFixed()])).toEqual([
      ['Usage', usage.toFixed()],
      ...invoice.lines.slice(2).map((l) => [l.description, new Decimal(l.amount).toFixed()]),
    ]);
    expect(theirs.total.toFixed()).toBe(new Decimal(invoice.total).toFixed());
  });

  it('pushing again changes nothing: a done push makes no call', async () => {
    const invoiceId = await world.finalizedInvoice('again');
    await world.pushUntilEnded(invoiceId);
    const mark = world.server.requests.length;
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'done' });
    expect(world.server.requests.length).toBe(mark);
    expect(world.stripeInvoicesOf(invoiceId)).toHaveLength(1);
  });

  it('leaves a push another worker holds to it, and takes it once that lease is given back', async () => {
    const invoiceId = await world.finalizedInvoice('held');
    const other = randomUUID();
    const pushes = world.get(StripePushesRepository);
    expect(await pushes.claim(invoiceId, other, 60_000)).toMatchObject({ kind: 'claimed' });
    const mark = world.server.requests.length;
    const busy = await world.get(PushInvoiceToStripe).execute({ invoiceId });
    expect(busy).toEqual({ outcome: 'busy', retryAt: expect.any(Date) });
    expect(world.server.requests.length).toBe(mark);
    await pushes.release(invoiceId, other);
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'done' });
    expect(world.stripeInvoicesOf(invoiceId)).toHaveLength(1);
  });

  it("uses the customer's Stripe customer and collection method: send_invoice, due in its days", async () => {
    const existing = world.server.ledger.createCustomer({ name: 'Globex' }, { requestId: null, idempotencyKey: null, apiVersion: null });
    const invoiceId = await world.finalizedInvoice('globex', {
      stripe_customer_id: existing.id,
      collection_method: 'send_invoice',
      days_until_due: 14,
    });
    const mark = world.server.requests.length;
    await world.pushUntilEnded(invoiceId);
    expect(world.server.requests.slice(mark).map((c) => c.operation)).toEqual([
      'invoices.create',
      'invoices.add_lines',
      'invoices.finalize',
    ]);
    const [stripeInvoice] = world.stripeInvoicesOf(invoiceId);
    expect(stripeInvoice).toMatchObject({ customer: existing.id, collection_method: 'send_invoice', status: 'open' });
    expect(stripeInvoice.due_date! - stripeInvoice.created).toBe(14 * 86_400);
  });
});
