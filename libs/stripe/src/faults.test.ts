import { Decimal } from '@tollgate/money';
import { startRig, type Rig } from '../test/rig';
import { StripePermanentError, StripeRetryableError } from './errors';
import type { CreateInvoiceInput } from './stripe-gateway';

// Each fault the stripe queue will meet, surfaced as the error class it retries or stops on, and Stripe's
// idempotency making the retry safe: one Stripe invoice per Tollgate invoice, whatever failed in between.

describe('StripeSdkGateway: idempotency and faults', () => {
  let rig: Rig;
  let stripeCustomerId: string;

  beforeEach(async () => {
    rig = await startRig();
    stripeCustomerId = (
      await rig.gateway.ensureCustomer({ idempotencyKey: 'tollgate:customer:cust_1:create', tollgateCustomerId: 'cust_1' })
    ).id;
    rig.server.requests.length = 0;
  });

  afterEach(() => rig.close());

  const createInput = (overrides: Partial<CreateInvoiceInput> = {}): CreateInvoiceInput => ({
    idempotencyKey: 'tollgate:invoice:inv_1:create',
    stripeCustomerId,
    tollgateInvoiceId: 'inv_1',
    currency: 'USD',
    collection: { method: 'charge_automatically' },
    ...overrides,
  });

  async function failure(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error,
    );
  }

  describe('idempotent replay', () => {
    it('same key and parameters: the first invoice, replayed, never a second', async () => {
      const first = await rig.gateway.createInvoice(createInput());
      const again = await rig.gateway.createInvoice(createInput());
      expect(again.id).toBe(first.id);
      expect(rig.server.invoices()).toHaveLength(1);
      expect(rig.server.requests.map((r) => r.replayed)).toEqual([false, true]);
    });

    it('same key, other parameters: a permanent idempotency error, nothing created', async () => {
      await rig.gateway.createInvoice(createInput());
      const error = await failure(rig.gateway.createInvoice(createInput({ currency: 'EUR' })));
      expect(error).toBeInstanceOf(StripePermanentError);
      expect(error).toMatchObject({ reason: 'idempotency', type: 'idempotency_error', statusCode: 400, retryable: false });
      expect(rig.server.invoices()).toHaveLength(1);
    });

    it('same key on another endpoint is an idempotency error too', async () => {
      const invoice = await rig.gateway.createInvoice(createInput());
      const error = await failure(
        rig.gateway.addInvoiceLines({
          idempotencyKey: 'tollgate:invoice:inv_1:create',
          stripeInvoiceId: invoice.id,
          currency: 'USD',
          lines: [{ description: 'Usage', amount: new Decimal(1) }],
        }),
      );
      expect(error).toMatchObject({ reason: 'idempotency', retryable: false });
      expect(rig.server.invoices()[0].lines.data).toHaveLength(0);
    });

    it('keys are scoped to the API key (Stripe scopes them per account)', async () => {
      const other = rig.gatewayWith({ secretKey: 'sk_test_other_account' });
      const a = await rig.gateway.ensureCustomer({ idempotencyKey: 'tollgate:customer:cust_2:create', tollgateCustomerId: 'cust_2' });
      const b = await other.ensureCustomer({ idempotencyKey: 'tollgate:customer:cust_2:create', tollgateCustomerId: 'cust_2' });
      expect(b.id).not.toBe(a.id);
    });

    it('after the key expired (24 h) a retry would create a second invoice: findInvoice is the guard', async () => {
      const first = await rig.gateway.createInvoice(createInput());
      rig.server.expireIdempotencyKeys();
      expect((await rig.gateway.findInvoice({ stripeCustomerId, tollgateInvoiceId: 'inv_1' }))?.id).toBe(first.id);
      const second = await rig.gateway.createInvoice(createInput());
      expect(second.id).not.toBe(first.id);
    });
  });

  describe('retryable faults', () => {
    it('500: retryable server_error, nothing written; the retry with the same key creates it once', async () => {
      rig.server.injectFault({ kind: 'server_error', operation: 'invoices.create' });
      const error = await failure(rig.gateway.createInvoice(createInput()));
      expect(error).toBeInstanceOf(StripeRetryableError);
      expect(error).toMatchObject({ reason: 'server_error', statusCode: 500, type: 'api_error', replayed: false });
      expect(rig.server.invoices()).toHaveLength(0);
      await rig.gateway.createInvoice(createInput());
      expect(rig.server.invoices()).toHaveLength(1);
    });

    it('a 500 Stripe saved under the key comes back for that key, marked replayed', async () => {
      rig.server.injectFault({ kind: 'server_error', operation: 'invoices.create', saved: true });
      await failure(rig.gateway.createInvoice(createInput()));
      const replay = await failure(rig.gateway.createInvoice(createInput()));
      expect(replay).toMatchObject({ retryable: true, reason: 'server_error', replayed: true });
      expect(rig.server.invoices()).toHaveLength(0);
    });

    it("429: retryable rate_limited, with Stripe's Retry-After in milliseconds", async () => {
      rig.server.injectFault({ kind: 'rate_limit', retryAfterSeconds: 7 });
      const error = await failure(rig.gateway.createInvoice(createInput()));
      expect(error).toBeInstanceOf(StripeRetryableError);
      expect(error).toMatchObject({ reason: 'rate_limited', statusCode: 429, code: 'rate_limit', retryAfterMs: 7000 });
      expect(rig.server.invoices()).toHaveLength(0);
    });

    it('a timeout after Stripe committed: retryable timeout; the retry with the same key returns the committed invoice', async () => {
      const impatient = rig.gatewayWith({ timeoutMs: 300 });
      rig.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.create' });
      const error = await failure(impatient.createInvoice(createInput()));
      expect(error).toBeInstanceOf(StripeRetryableError);
      expect(error).toMatchObject({ reason: 'timeout', statusCode: undefined, operation: 'invoices.create' });
      const [committed] = rig.server.invoices();
      expect(committed.metadata.tollgate_invoice_id).toBe('inv_1');

      const retried = await impatient.createInvoice(createInput());
      expect(retried.id).toBe(committed.id);
      expect(rig.server.invoices()).toHaveLength(1);
      expect(rig.server.requests.map((r) => [r.status, r.replayed])).toEqual([
        ['no_answer', false],
        [200, true],
      ]);
    });

    it('an answer that comes after the client gave up changes nothing on a retry', async () => {
      const impatient = rig.gatewayWith({ timeoutMs: 200 });
      rig.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.finalize', answerAfterMs: 400 });
      const invoice = await impatient.createInvoice(createInput());
      await impatient.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [{ description: 'Usage', amount: new Decimal('9.99') }],
      });
      await expect(
        impatient.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id }),
      ).rejects.toMatchObject({ reason: 'timeout' });
      const finalized = await impatient.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id });
      expect(finalized).toMatchObject({ id: invoice.id, status: 'open' });
      expect(rig.server.invoices()[0].number).toMatch(/-0001$/);
    });

    it('a dropped connection: retryable network error, nothing written (the SDK retried the closed socket once)', async () => {
      rig.server.injectFault({ kind: 'drop_connection', operation: 'invoices.create', times: 2 });
      const error = await failure(rig.gateway.createInvoice(createInput()));
      expect(error).toBeInstanceOf(StripeRetryableError);
      expect(error).toMatchObject({ reason: 'network', statusCode: undefined });
      expect(rig.server.requests.map((r) => r.fault)).toEqual(['drop_connection', 'drop_connection']);
      expect(rig.server.invoices()).toHaveLength(0);
    });

    it("a connection dropped after the write committed: the SDK's own retry carries our key and gets the same invoice", async () => {
      rig.server.injectFault({ kind: 'drop_connection', operation: 'invoices.create', afterCommit: true });
      const invoice = await rig.gateway.createInvoice(createInput());
      expect(rig.server.invoices().map((i) => i.id)).toEqual([invoice.id]);
      expect(rig.server.requests.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
        ['tollgate:invoice:inv_1:create', false],
        ['tollgate:invoice:inv_1:create', true],
      ]);
    });

    it('faults are per call: a fault on finalize leaves create and add_lines alone', async () => {
      rig.server.injectFault({ kind: 'server_error', operation: 'invoices.finalize' });
      const invoice = await rig.gateway.createInvoice(createInput());
      await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [{ description: 'Usage', amount: new Decimal('1.00') }],
      });
      await expect(
        rig.gateway.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id }),
      ).rejects.toBeInstanceOf(StripeRetryableError);
      expect(
        (await rig.gateway.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id })).status,
      ).toBe('open');
    });
  });

  describe('permanent errors', () => {
    it('a wrong API key: authentication, not retried', async () => {
      // The server refuses keys that are not sk_/rk_ keys, as Stripe refuses unknown ones.
      const error = await failure(rig.gatewayWith({ secretKey: 'pk_test_publishable' }).createInvoice(createInput()));
      expect(error).toBeInstanceOf(StripePermanentError);
      expect(error).toMatchObject({ reason: 'authentication', statusCode: 401 });
    });

    it('an unknown customer on create: invalid_request with the param Stripe names', async () => {
      const error = await failure(rig.gateway.createInvoice(createInput({ stripeCustomerId: 'cus_nobody' })));
      expect(error).toMatchObject({
        retryable: false,
        reason: 'invalid_request',
        statusCode: 400,
        code: 'resource_missing',
        param: 'customer',
      });
    });
  });
});
