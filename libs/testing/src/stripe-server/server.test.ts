import { spawn } from 'node:child_process';
import path from 'node:path';
import { fetchJson } from '../json';
import type { CustomerObject, EventObject, InvoiceObject, LineItemObject, ListObject } from './objects';
import { StripeTestServer, type StripeRequestRecord } from './server';
import type { Delivery } from './webhooks';

// The test server on the wire, without the SDK: Stripe's error shapes and statuses, idempotency headers,
// state transitions, and the control API a separate process is driven by. (libs/stripe's tests drive it
// with the real stripe SDK.)

const KEY = 'sk_test_server_tests';

/** Stripe's error body. */
interface StripeErrorBody {
  error: { type: string; message: string; code?: string; param?: string };
}

/** GET /_control/state, as far as these tests read it. */
interface ControlState {
  invoices: InvoiceObject[];
  events: { id: string; type: string }[];
  pending_webhooks: string[];
}

describe('StripeTestServer', () => {
  let server: StripeTestServer;

  beforeEach(async () => {
    server = await new StripeTestServer().start();
  });

  afterEach(() => server.close());

  /** A Stripe API call; `T` is the body the test expects. */
  function call<T = unknown>(method: string, path: string, form?: string, headers: Record<string, string> = {}) {
    return fetchJson<T>(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form,
    });
  }

  /** A control API call; `T` is the body the test expects. */
  function control<T = unknown>(method: string, path: string, body?: unknown) {
    return fetchJson<T>(`${server.url}/_control${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async function openInvoice(amounts: number[]): Promise<string> {
    const customer = await call<CustomerObject>('POST', '/v1/customers', 'name=Acme');
    const invoice = await call<InvoiceObject>('POST', '/v1/invoices', `customer=${customer.body.id}&auto_advance=false`);
    const lines = amounts.map((a, i) => `lines[${i}][amount]=${a}&lines[${i}][description]=Line%20${i}`).join('&');
    await call('POST', `/v1/invoices/${invoice.body.id}/add_lines`, lines);
    await call('POST', `/v1/invoices/${invoice.body.id}/finalize`, '');
    return invoice.body.id;
  }

  describe("Stripe's errors", () => {
    it('401 without a key or with one that is not a secret key', async () => {
      const none = await call<StripeErrorBody>('GET', '/v1/invoices', undefined, { authorization: '' });
      expect(none.status).toBe(401);
      expect(none.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringContaining('did not provide an API key'),
      });
      const publishable = await call('GET', '/v1/invoices', undefined, { authorization: 'Bearer pk_test_123' });
      expect(publishable.status).toBe(401);
    });

    it('takes the key as a Basic user name too (curl -u sk_test_…:)', async () => {
      const basic = await call('GET', '/v1/invoices', undefined, { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` });
      expect(basic.status).toBe(200);
      expect(basic.body).toEqual({ object: 'list', data: [], has_more: false, url: '/v1/invoices' });
    });

    it('404 for an unknown URL or object, 400 for missing, unknown and malformed parameters, naming the param', async () => {
      expect(await call('GET', '/v1/charges')).toMatchObject({
        status: 404,
        body: { error: { type: 'invalid_request_error', message: expect.stringContaining('Unrecognized request URL') } },
      });
      expect(await call('GET', '/v1/invoices/in_nope')).toMatchObject({
        status: 404,
        body: { error: { code: 'resource_missing', param: 'id', message: "No such invoice: 'in_nope'" } },
      });
      expect(await call('POST', '/v1/invoices', 'currency=usd')).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_missing', param: 'customer' } },
      });
      expect(await call('POST', '/v1/customers', 'nmae=Acme')).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_unknown', param: 'nmae' } },
      });
      const customer = await call<CustomerObject>('POST', '/v1/customers', '');
      const invoice = await call<InvoiceObject>('POST', '/v1/invoices', `customer=${customer.body.id}`);
      expect(await call('POST', `/v1/invoices/${invoice.body.id}/add_lines`, 'lines[0][amount]=12.5')).toMatchObject({
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'parameter_invalid_integer',
            param: 'lines[0][amount]',
            message: 'Invalid integer: 12.5',
          },
        },
      });
      expect(await call('POST', `/v1/invoices/${invoice.body.id}/add_lines`, 'lines[0][amount]=1&lines[0][price]=price_1')).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_unknown', param: 'lines[0][price]' } },
      });
      expect(await call('POST', '/v1/invoices', `customer=${customer.body.id}&collection_method=send_invoice`)).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_missing', param: 'days_until_due' } },
      });
    });
  });

  describe('idempotency on the wire', () => {
    it('replays the first response with Idempotent-Replayed and the original request id', async () => {
      const first = await call('POST', '/v1/customers', 'name=Acme', { 'idempotency-key': 'k1' });
      const again = await call('POST', '/v1/customers', 'name=Acme', { 'idempotency-key': 'k1' });
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('original-request')).toBe(first.headers.get('request-id'));
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const other = await call('POST', '/v1/customers', 'name=Other', { 'idempotency-key': 'k1' });
      expect(other).toMatchObject({ status: 400, body: { error: { type: 'idempotency_error' } } });
      expect(server.customers()).toHaveLength(1);
    });

    it('saves nothing for a request that failed validation, so the corrected one can use the key', async () => {
      expect((await call('POST', '/v1/customers', 'nmae=Acme', { 'idempotency-key': 'k2' })).status).toBe(400);
      const fixed = await call('POST', '/v1/customers', 'name=Acme', { 'idempotency-key': 'k2' });
      expect(fixed.status).toBe(200);
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    });

    it('ignores keys on GET', async () => {
      await call('GET', '/v1/invoices', undefined, { 'idempotency-key': 'k3' });
      expect((await call('GET', '/v1/invoices?limit=5', undefined, { 'idempotency-key': 'k3' })).status).toBe(200);
    });
  });

  describe('invoice state machine', () => {
    it('totals the lines, numbers the invoice at finalization, and refuses a second finalization', async () => {
      const id = await openInvoice([1230, -230]);
      const invoice = await call<InvoiceObject>('GET', `/v1/invoices/${id}`);
      expect(invoice.body).toMatchObject({
        object: 'invoice',
        status: 'open',
        total: 1000,
        subtotal: 1000,
        amount_due: 1000,
        amount_paid: 0,
        amount_remaining: 1000,
      });
      expect(invoice.body.lines).toMatchObject({ object: 'list', has_more: false, url: `/v1/invoices/${id}/lines` });
      expect(invoice.body.lines.data.map((l) => [l.amount, l.discountable])).toEqual([
        [1230, true],
        [-230, false],
      ]);
      expect(invoice.body.status_transitions.finalized_at).toEqual(expect.any(Number));
      expect(await call('POST', `/v1/invoices/${id}/finalize`, '')).toMatchObject({
        status: 400,
        body: { error: { code: 'status_transition_invalid' } },
      });
    });

    it('pays through the API, then refuses to void a paid invoice', async () => {
      const id = await openInvoice([500]);
      const paid = await call('POST', `/v1/invoices/${id}/pay`, '');
      expect(paid.body).toMatchObject({ status: 'paid', amount_paid: 500, amount_remaining: 0 });
      expect(await call('POST', `/v1/invoices/${id}/void`, '')).toMatchObject({
        status: 400,
        body: { error: { code: 'status_transition_invalid' } },
      });
    });

    it('puts a negative total on the customer balance: nothing due, paid at finalization', async () => {
      const id = await openInvoice([100, -300]);
      const invoice = await call<InvoiceObject>('GET', `/v1/invoices/${id}`);
      expect(invoice.body).toMatchObject({ status: 'paid', total: -200, amount_due: 0, ending_balance: -200 });
      expect((await call<CustomerObject>('GET', `/v1/customers/${invoice.body.customer}`)).body.balance).toBe(-200);
    });

    it('lets an uncollectible invoice be paid later, as Stripe does', async () => {
      const id = await openInvoice([700]);
      server.markInvoiceUncollectible(id);
      expect(server.payInvoice(id).status).toBe('paid');
      expect(() => server.failInvoicePayment(id)).toThrow(/open/);
    });

    it('pages lines and invoices with starting_after and ending_before', async () => {
      const id = await openInvoice(Array.from({ length: 12 }, (_, i) => i + 1));
      const embedded = (await call<InvoiceObject>('GET', `/v1/invoices/${id}`)).body.lines;
      expect(embedded.data).toHaveLength(10);
      expect(embedded.has_more).toBe(true);
      const rest = await call<ListObject<LineItemObject>>(
        'GET',
        `/v1/invoices/${id}/lines?limit=100&starting_after=${embedded.data[9].id}`,
      );
      expect(rest.body.data.map((l) => l.amount)).toEqual([11, 12]);
      const second = await openInvoice([1]);
      const newestFirst = await call('GET', '/v1/invoices?limit=1');
      expect(newestFirst.body).toMatchObject({ has_more: true, data: [{ id: second }] });
      expect((await call<ListObject<InvoiceObject>>('GET', `/v1/invoices?limit=1&ending_before=${id}`)).body.data.map((i) => i.id)).toEqual(
        [second],
      );
      expect(await call('GET', '/v1/invoices?limit=101')).toMatchObject({ status: 400, body: { error: { param: 'limit' } } });
    });
  });

  describe('control API', () => {
    it('injects faults, moves invoices, shows state and the request log over HTTP', async () => {
      expect(await control('POST', '/faults', { kind: 'rate_limit', operation: 'customers.create', retry_after_seconds: 3 })).toMatchObject(
        { status: 201, body: { faults_pending: 1 } },
      );
      const limited = await call<StripeErrorBody>('POST', '/v1/customers', 'name=Acme');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      expect(limited.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' });

      const id = await openInvoice([4200]);
      expect((await control('POST', `/invoices/${id}/fail_payment`)).body).toMatchObject({ status: 'open', attempt_count: 1 });
      expect((await control('POST', `/invoices/${id}/pay`)).body).toMatchObject({ status: 'paid', amount_paid: 4200 });
      expect(await control('POST', `/invoices/${id}/mark_uncollectible`)).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringContaining('paid') } },
      });

      const state = (await control<ControlState>('GET', '/state')).body;
      expect(state.invoices.map((i) => [i.id, i.status])).toEqual([[id, 'paid']]);
      expect(state.events.map((e) => e.type)).toEqual([
        'customer.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.payment_failed',
        'invoice.payment_succeeded',
        'invoice.paid',
      ]);
      const requests = (await control<StripeRequestRecord[]>('GET', '/requests')).body;
      expect(requests[0]).toMatchObject({ operation: 'customers.create', status: 429, fault: 'rate_limit' });

      expect((await control('POST', '/faults', { kind: 'meteor' })).status).toBe(400);
      expect((await control('GET', '/nothing')).status).toBe(404);
      await control('POST', '/reset');
      expect((await control('GET', '/state')).body).toMatchObject({ invoices: [], customers: [], events: [], faults_pending: 0 });
    });

    it('configures webhook delivery, holds events and delivers them in the order asked', async () => {
      const received: string[] = [];
      const { createServer } = await import('node:http');
      const hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push((JSON.parse(body) as { type: string }).type);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
        expect((await control('PUT', '/webhook', { url, secret: 'whsec_x', auto_deliver: false })).status).toBe(200);
        await openInvoice([100]);
        expect((await control<ControlState>('GET', '/state')).body.pending_webhooks).toHaveLength(3);
        const deliveries = (await control<Delivery[]>('POST', '/events/deliver_pending', { order: 'newest_first' })).body;
        expect(deliveries.map((d) => d.status)).toEqual([204, 204, 204]);
        expect(received).toEqual(['invoice.finalized', 'invoice.created', 'customer.created']);
        const created = (await control<EventObject[]>('GET', '/events')).body[0];
        expect((await control('POST', `/events/${created.id}/deliver`, { timestamp: 1 })).body).toMatchObject({
          eventId: created.id,
          status: 204,
          signature: expect.stringMatching(/^t=1,v1=/),
        });
      } finally {
        await new Promise((resolve) => hook.close(resolve));
      }
    });
  });
});

describe('npm run stripe:test-server', () => {
  it('runs as its own process and prints its URL', async () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..');
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['libs/testing/src/stripe-server/main.ts'], {
      cwd: root,
      env: { ...process.env, STRIPE_TEST_SERVER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /Stripe test server on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('close', () => reject(new Error(`exited before printing its URL: ${out}`)));
      });
      const state = await fetch(`${url}/_control/state`).then((r) => r.json() as Promise<{ url: string }>);
      expect(state.url).toBe(url);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
