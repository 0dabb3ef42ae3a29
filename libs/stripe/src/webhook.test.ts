import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '@tollgate/money';
import { startRig, WEBHOOK_SECRET, type Rig } from '../test/rig';
import { StripeWebhookSignatureError } from './errors';
import type { StripeInvoice } from './stripe-gateway';

interface Received {
  raw: Buffer;
  signature: string | undefined;
}

/** An endpoint that keeps each delivery's raw bytes and Stripe-Signature, as our webhook controller will. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks), signature: req.headers['stripe-signature'] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/stripe`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const typeOf = (r: Received) => (JSON.parse(r.raw.toString('utf8')) as { type: string }).type;

function rejection(call: () => unknown): StripeWebhookSignatureError {
  try {
    call();
  } catch (error) {
    if (error instanceof StripeWebhookSignatureError) return error;
    throw error;
  }
  throw new Error('expected the webhook to be rejected');
}

describe('webhooks: signed by the test server as Stripe signs, verified by the gateway', () => {
  let rig: Rig;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    receiver = await startReceiver();
    rig = await startRig({ webhook: { url: receiver.url, secret: WEBHOOK_SECRET } });
  });

  afterEach(async () => {
    await rig.close();
    await receiver.close();
  });

  async function openInvoice(amount = '25.00'): Promise<StripeInvoice> {
    const customer = await rig.gateway.ensureCustomer({ idempotencyKey: 'tollgate:customer:cust_1:create', tollgateCustomerId: 'cust_1' });
    const invoice = await rig.gateway.createInvoice({
      idempotencyKey: 'tollgate:invoice:inv_1:create',
      stripeCustomerId: customer.id,
      tollgateInvoiceId: 'inv_1',
      currency: 'USD',
      collection: { method: 'send_invoice', daysUntilDue: 30 },
    });
    await rig.gateway.addInvoiceLines({
      idempotencyKey: 'tollgate:invoice:inv_1:lines',
      stripeInvoiceId: invoice.id,
      currency: 'USD',
      lines: [{ description: 'Usage', amount: new Decimal(amount) }],
    });
    return rig.gateway.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id });
  }

  const received = async (type: string): Promise<Received> => {
    await rig.server.webhooks.idle();
    const found = receiver.received.filter((r) => typeOf(r) === type);
    if (found.length === 0) throw new Error(`no ${type} delivered; got ${receiver.received.map(typeOf).join(', ')}`);
    return found[found.length - 1];
  };

  it('accepts a genuine delivery and parses it into a typed invoice event', async () => {
    const invoice = await openInvoice();
    rig.server.payInvoice(invoice.id);
    const paid = await received('invoice.paid');
    expect(paid.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const event = rig.gateway.verifyWebhook(paid.raw, paid.signature);
    expect(event).toMatchObject({ kind: 'invoice', type: 'invoice.paid', id: expect.stringMatching(/^evt_/) });
    if (event.kind !== 'invoice') throw new Error('not an invoice event');
    expect(event.invoice).toMatchObject({ id: invoice.id, tollgateInvoiceId: 'inv_1', status: 'paid', currency: 'USD' });
    expect(event.invoice.amountPaid.toFixed(2)).toBe('25.00');
    expect(event.created).toBeInstanceOf(Date);
  });

  it('parses each invoice event the push acts on, and passes others on as "other"', async () => {
    const invoice = await openInvoice();
    rig.server.failInvoicePayment(invoice.id);
    rig.server.markInvoiceUncollectible(invoice.id);
    await rig.gateway.voidInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:void', stripeInvoiceId: invoice.id });
    await rig.server.webhooks.idle();

    const parsed = receiver.received.map((r) => rig.gateway.verifyWebhook(r.raw, r.signature));
    expect(parsed.map((e) => [e.kind, e.type, e.kind === 'invoice' ? e.invoice.status : null])).toEqual([
      ['other', 'customer.created', null],
      ['other', 'invoice.created', null],
      ['invoice', 'invoice.finalized', 'open'],
      ['invoice', 'invoice.payment_failed', 'open'],
      ['invoice', 'invoice.marked_uncollectible', 'uncollectible'],
      ['invoice', 'invoice.voided', 'void'],
    ]);
  });

  it('rejects a delivery signed with another secret', async () => {
    const invoice = await openInvoice();
    const finalized = rig.server
      .events()
      .find((e) => e.type === 'invoice.finalized' && (e.data.object as { id: string }).id === invoice.id)!;
    await rig.server.deliverEvent(finalized.id, { secret: 'whsec_someone_else' });
    const forged = receiver.received[receiver.received.length - 1];
    expect(rejection(() => rig.gateway.verifyWebhook(forged.raw, forged.signature)).reason).toBe('invalid');
  });

  it('rejects a stale signature (older than the tolerance), even when it is genuine', async () => {
    await openInvoice();
    const finalized = rig.server.events().find((e) => e.type === 'invoice.finalized')!;
    await rig.server.deliverEvent(finalized.id, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    const old = receiver.received[receiver.received.length - 1];
    expect(rejection(() => rig.gateway.verifyWebhook(old.raw, old.signature)).reason).toBe('stale');
  });

  it('rejects a body changed after signing, a missing header, and any delivery when no secret is configured', async () => {
    await openInvoice();
    const genuine = await received('invoice.finalized');
    const tampered = Buffer.from(genuine.raw.toString('utf8').replace('"status": "open"', '"status": "paid"'));
    expect(tampered.equals(genuine.raw)).toBe(false);
    expect(rejection(() => rig.gateway.verifyWebhook(tampered, genuine.signature)).reason).toBe('invalid');
    expect(rejection(() => rig.gateway.verifyWebhook(genuine.raw, undefined)).reason).toBe('missing_signature');
    expect(rejection(() => rig.gateway.verifyWebhook(genuine.raw, 'garbage')).reason).toBe('invalid');
    const unconfigured = rig.gatewayWith({ webhookSecret: undefined });
    expect(rejection(() => unconfigured.verifyWebhook(genuine.raw, genuine.signature)).reason).toBe('no_secret');
  });

  it('redelivers an event with the same id and a fresh signature', async () => {
    await openInvoice();
    const finalized = rig.server.events().find((e) => e.type === 'invoice.finalized')!;
    await rig.server.deliverEvent(finalized.id);
    await rig.server.deliverEvent(finalized.id);
    const copies = receiver.received.filter((r) => typeOf(r) === 'invoice.finalized');
    expect(copies).toHaveLength(3);
    const ids = copies.map((r) => rig.gateway.verifyWebhook(r.raw, r.signature).id);
    expect(new Set(ids)).toEqual(new Set([finalized.id]));
  });

  it('delivers held events out of order, each carrying the invoice as it was when the event happened', async () => {
    rig.server.configureWebhooks({ url: receiver.url, secret: WEBHOOK_SECRET }, false);
    const invoice = await openInvoice();
    rig.server.payInvoice(invoice.id);
    expect(receiver.received).toHaveLength(0);
    await rig.server.webhooks.deliverPending('newest_first');

    const parsed = receiver.received.map((r) => rig.gateway.verifyWebhook(r.raw, r.signature));
    expect(parsed.map((e) => e.type)).toEqual([
      'invoice.paid',
      'invoice.payment_succeeded',
      'invoice.finalized',
      'invoice.created',
      'customer.created',
    ]);
    const finalized = parsed.find((e) => e.type === 'invoice.finalized');
    expect(finalized?.kind === 'invoice' && finalized.invoice.status).toBe('open');
    expect(rig.server.webhooks.pending).toHaveLength(0);
  });
});
