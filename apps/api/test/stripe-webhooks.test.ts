import { PushInvoiceToStripe } from '@tollgate/billing';
import { errorOf, fetchJson, signStripePayload, StripeTestServer, type EventObject, type JsonResponse } from '@tollgate/testing';
import { startTestApi, type InvoiceBody, type StripeWebhookReceiptBody, type TestApi } from '@tollgate/testing/api-harness';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { StripeWebhookReceipt } from '../src/stripe/stripe-webhook.schema';

// POST /v1/webhooks/stripe on the real api, fed by the Stripe-compatible test server: the raw body's signature
// checked (a wrong secret, a stale or missing signature, a changed body: 400, nothing done), each event once by
// its id, out-of-order events never moving a paid invoice back, and status changes reaching our invoice and the
// outbound webhooks. Invoices are pushed by the push use case on the api's database, as the worker would.

const SECRET = 'whsec_tollgate_api_tests';
let server: StripeTestServer;
let api: TestApi;
let billing: TestBilling;
let n = 0;

beforeAll(async () => {
  server = await new StripeTestServer({ autoDeliverWebhooks: false }).start();
  const stripe = {
    STRIPE_SECRET_KEY: 'sk_test_tollgateapi',
    STRIPE_API_BASE: server.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    RATE_SOURCES: 'none',
  };
  api = await startTestApi(stripe);
  billing = await startTestBilling({ ...stripe, DATABASE_URL: api.databaseUrl, QUEUE_PREFIX: api.config.queuePrefix });
  server.configureWebhooks({ url: `${api.baseUrl}/v1/webhooks/stripe`, secret: SECRET }, false);
  // A base fee bills even a period without usage; no grace: "close now" finalizes.
  await api.request('POST', '/v1/plans', {
    code: 'fee',
    name: 'Fee',
    currency: 'USD',
    base_fee: '25.00',
    grace_period_hours: 0,
    charges: [{ name: 'all', models: ['*'], markup: '0.3' }],
  });
});

afterAll(async () => {
  await billing?.close();
  await api?.close();
  await server?.close();
});

/** A finalized invoice of a new customer, pushed to Stripe: ours and Stripe's ids. */
async function pushedInvoice(): Promise<{ id: string; stripeId: string }> {
  const customer = `wh-${n++}`;
  await api.request('POST', '/v1/customers', { external_id: customer, plan_code: 'fee' });
  const closed = await api.request<InvoiceBody>('POST', `/v1/customers/${customer}/invoices/close`);
  expect(closed.body.status).toBe('finalized');
  expect(await billing.get(PushInvoiceToStripe).execute({ invoiceId: closed.body.id! })).toEqual({ outcome: 'ended', state: 'done' });
  const [stripeInvoice] = server.invoices().filter((i) => i.metadata.tollgate_invoice_id === closed.body.id);
  return { id: closed.body.id!, stripeId: stripeInvoice.id };
}

/** Events Stripe recorded about a Stripe invoice since `from`, oldest first. */
const eventsOf = (stripeId: string, types?: string[]) =>
  server.events().filter((e) => (e.data.object as { id?: string }).id === stripeId && (!types || types.includes(e.type)));

/** POSTs an event the way Stripe does (pretty-printed, signed), or with a signature made otherwise. */
function post(
  event: EventObject,
  options: { secret?: string; timestamp?: number; body?: string; signature?: string | null } = {},
): Promise<JsonResponse<StripeWebhookReceiptBody>> {
  const payload = JSON.stringify(event, null, 2);
  const signature =
    options.signature === undefined
      ? signStripePayload(payload, options.secret ?? SECRET, options.timestamp ?? Math.floor(Date.now() / 1000))
      : options.signature;
  return fetchJson(`${api.baseUrl}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(signature === null ? {} : { 'stripe-signature': signature }) },
    body: options.body ?? payload,
  });
}

const invoice = async (id: string) => (await api.request<InvoiceBody>('GET', `/v1/invoices/${id}`)).body;
const outbound = (id: string, type: string) =>
  billing.probe.count('webhook_events', 'type = $1 AND subject_key = $2', [type, `invoice:${id}`]);

describe('the signature', () => {
  it('is accepted when it holds over the raw body: the payment reaches the invoice and invoice.paid is published', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.payInvoice(stripeId);
    // Delivered by the test server itself, every pending event in order, as Stripe would.
    const deliveries = await server.webhooks.deliverPending('oldest_first');
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
    expect(deliveries.map((d) => d.type)).toEqual(
      expect.arrayContaining(['invoice.finalized', 'invoice.payment_succeeded', 'invoice.paid']),
    );
    expect(await invoice(id)).toMatchObject({ status: 'paid', stripe_invoice_id: stripeId, stripe_status: 'paid' });
    expect(await outbound(id, 'invoice.paid')).toBe(1);
    const [paid] = eventsOf(stripeId, ['invoice.paid']);
    expect(await billing.probe.rows('SELECT outcome, invoice_id::text FROM stripe_events WHERE id = $1', [paid.id])).toEqual([
      { outcome: 'applied', invoice_id: id },
    ]);
  });

  it.each([
    ['another secret', { secret: 'whsec_someone_else' }, /^invalid: /],
    ['a stale timestamp (an hour old)', { timestamp: Math.floor(Date.now() / 1000) - 3600 }, /^stale: /],
    ['no Stripe-Signature header', { signature: null }, /^missing_signature: /],
    ['a header that is not a signature', { signature: 't=1,v1=zz' }, /^invalid: /],
  ])('is refused with %s: 400 invalid_signature, nothing done', async (_, options, message) => {
    const { id, stripeId } = await pushedInvoice();
    server.payInvoice(stripeId);
    const [paid] = eventsOf(stripeId, ['invoice.paid']);
    const res = await post(paid, options);
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toEqual({ code: 'invalid_signature', message: expect.stringMatching(message) });
    expect((await invoice(id)).status).toBe('finalized');
    expect(await billing.probe.count('stripe_events', 'id = $1', [paid.id])).toBe(0);
  });

  it('is refused when the body was changed after signing (even only its spacing)', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.payInvoice(stripeId);
    const [paid] = eventsOf(stripeId, ['invoice.paid']);
    const signed = JSON.stringify(paid, null, 2);
    const signature = signStripePayload(signed, SECRET, Math.floor(Date.now() / 1000));
    for (const body of [JSON.stringify(paid), signed.replace('"paid"', '"open"')]) {
      const res = await post(paid, { body, signature });
      expect([res.status, errorOf(res.body).code]).toEqual([400, 'invalid_signature']);
    }
    expect((await invoice(id)).status).toBe('finalized');
    // The untouched body with that signature goes through.
    expect((await post(paid, { body: signed, signature })).body).toMatchObject({ received: true, outcome: 'applied', invoice_id: id });
  });
});

describe('each event once', () => {
  it('acknowledges a redelivered event as a duplicate and changes nothing', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.failInvoicePayment(stripeId);
    const [failed] = eventsOf(stripeId, ['invoice.payment_failed']);
    // Two deliveries at once: one applies it, the other finds it applied (or recorded).
    const first = await Promise.all([post(failed), post(failed)]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    const outcomes = first.map((r) => r.body.outcome);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged' || o === 'duplicate')).toHaveLength(1);
    expect(first[0].body).toMatchObject({ received: true, event_id: failed.id, type: 'invoice.payment_failed', invoice_id: id });
    const again = await post(failed);
    expect([again.status, again.body.outcome]).toEqual([200, 'duplicate']);
    // Receipts are what the document says they are.
    for (const r of [...first, again]) expect(StripeWebhookReceipt.safeParse(r.body).success).toBe(true);
    expect(await invoice(id)).toMatchObject({ status: 'payment_failed', stripe_status: 'open' });
    expect(await outbound(id, 'invoice.payment_failed')).toBe(1);
  });

  it('acknowledges and ignores events that are not about our invoices', async () => {
    const customerCreated = server
      .events()
      .filter((e) => e.type === 'customer.created')
      .at(-1)!;
    expect((await post(customerCreated)).body).toMatchObject({ outcome: 'ignored', invoice_id: null });
    // An invoice someone made on Stripe by hand.
    const stranger = server.ledger.createCustomer({ name: 'Stranger' }, { requestId: null, idempotencyKey: null, apiVersion: null });
    const ctx = { requestId: null, idempotencyKey: null, apiVersion: null };
    const theirs = server.ledger.createInvoice({ customer: stranger.id }, ctx);
    server.ledger.addLines(theirs.id, { lines: { 0: { amount: '500', description: 'Consulting' } } });
    server.ledger.finalize(theirs.id, {}, ctx);
    const [finalized] = eventsOf(theirs.id, ['invoice.finalized']);
    expect((await post(finalized)).body).toMatchObject({ outcome: 'ignored', invoice_id: null });
  });
});

describe('events out of order', () => {
  it('never move a paid invoice back: a failure delivered after the payment changes nothing', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.failInvoicePayment(stripeId);
    server.payInvoice(stripeId);
    const events = eventsOf(stripeId, ['invoice.finalized', 'invoice.payment_failed', 'invoice.paid']).reverse();
    expect(events.map((e) => e.type)).toEqual(['invoice.paid', 'invoice.payment_failed', 'invoice.finalized']);
    const outcomes = [];
    for (const e of events) outcomes.push((await post(e)).body.outcome);
    expect(outcomes).toEqual(['applied', 'unchanged', 'unchanged']);
    expect(await invoice(id)).toMatchObject({ status: 'paid', stripe_status: 'paid' });
    expect(await outbound(id, 'invoice.payment_failed')).toBe(0);
    expect(await outbound(id, 'invoice.paid')).toBe(1);
  });

  it('takes an uncollectible invoice that is paid after all', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.markInvoiceUncollectible(stripeId);
    const [uncollectible] = eventsOf(stripeId, ['invoice.marked_uncollectible']);
    expect((await post(uncollectible)).body.outcome).toBe('applied');
    expect(await invoice(id)).toMatchObject({ status: 'payment_failed', stripe_status: 'uncollectible' });
    expect(await outbound(id, 'invoice.payment_failed')).toBe(1);
    server.payInvoice(stripeId);
    const [paid] = eventsOf(stripeId, ['invoice.paid']);
    expect((await post(paid)).body.outcome).toBe('applied');
    expect(await invoice(id)).toMatchObject({ status: 'paid', stripe_status: 'paid' });
  });

  it('voids our invoice when Stripe voids it, and a late payment failure leaves it void', async () => {
    const { id, stripeId } = await pushedInvoice();
    server.failInvoicePayment(stripeId);
    server.ledger.voidInvoice(stripeId, {}, { requestId: null, idempotencyKey: null, apiVersion: null });
    const [failed, voided] = eventsOf(stripeId, ['invoice.payment_failed', 'invoice.voided']);
    expect((await post(voided)).body.outcome).toBe('applied');
    expect(await invoice(id)).toMatchObject({ status: 'void', void_reason: `voided on Stripe (${stripeId})`, stripe_status: 'void' });
    expect((await post(failed)).body.outcome).toBe('unchanged');
    expect(await invoice(id)).toMatchObject({ status: 'void', stripe_status: 'void' });
    expect(await billing.probe.rows('SELECT state FROM stripe_pushes WHERE invoice_id = $1', [id])).toEqual([{ state: 'voided' }]);
  });
});

describe('without Stripe configured', () => {
  it('refuses every delivery: 400 invalid_signature', async () => {
    const off = await startTestApi({ RATE_SOURCES: 'none' });
    try {
      const [event] = server.events();
      const payload = JSON.stringify(event, null, 2);
      const res = await fetchJson(`${off.baseUrl}/v1/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000)),
        },
        body: payload,
      });
      expect([res.status, errorOf(res.body).code]).toEqual([400, 'invalid_signature']);
    } finally {
      await off.close();
    }
  });
});
