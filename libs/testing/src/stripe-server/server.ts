import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control';
import { StripeApiError } from './errors';
import { FaultInjector, type StripeFault, type StripeFaultPlan, type StripeTestOperation } from './faults';
import { canonical, FormError, parseForm, type FormObject } from './form';
import { IdempotencyStore } from './idempotency';
import { type RequestContext, StripeLedger } from './ledger';
import { type CustomerObject, type EventObject, type InvoiceObject, stripeId } from './objects';
import { type Delivery, type DeliveryOptions, WebhookDispatcher, type WebhookEndpoint } from './webhooks';

export interface StripeTestServerOptions {
  /** Default 0: a port the OS gives. */
  port?: number;
  host?: string;
  webhook?: WebhookEndpoint;
  /** Send each event as it happens (default true); off, events wait for deliverPending / deliverEvent. */
  autoDeliverWebhooks?: boolean;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: () => number;
}

/** One API call as the server saw it. */
export interface StripeRequestRecord {
  method: string;
  path: string;
  operation: StripeTestOperation;
  idempotencyKey: string | null;
  /** The parsed form parameters (query string for GET). */
  params: FormObject;
  status: number | 'no_answer';
  replayed: boolean;
  fault?: StripeFault['kind'];
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  operation: StripeTestOperation;
  handle: (params: FormObject, ids: string[], ctx: RequestContext) => unknown;
}

interface Reply {
  status: number;
  body: string;
}

/**
 * A Stripe-compatible API server for tests and the demo: the v1 endpoints Tollgate's push uses, Stripe's
 * form encoding, object shapes, errors and idempotency, injectable faults, and signed webhooks. Point the real
 * `stripe` SDK at it with `{ host, port, protocol: 'http' }`. Tests drive it in-process; the control API
 * (`/_control/…`, control.ts) does the same over HTTP when it runs as its own process (`npm run stripe:test-server`).
 */
export class StripeTestServer {
  readonly requests: StripeRequestRecord[] = [];
  readonly faults = new FaultInjector();
  readonly webhooks: WebhookDispatcher;
  readonly ledger: StripeLedger;
  private readonly idempotency: IdempotencyStore;
  private readonly clock: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  url = '';
  host = '';
  port = 0;

  constructor(private readonly options: StripeTestServerOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const nowSeconds = () => Math.floor(this.clock() / 1000);
    this.webhooks = new WebhookDispatcher(nowSeconds);
    this.webhooks.endpoint = options.webhook;
    this.webhooks.autoDeliver = options.autoDeliverWebhooks ?? true;
    this.ledger = new StripeLedger(
      nowSeconds,
      () => this.url,
      (event) => this.webhooks.record(event),
    );
    this.idempotency = new IdempotencyStore(this.clock);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(res, 500, JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve);
    });
    const address = this.server.address() as AddressInfo;
    this.host = address.address;
    this.port = address.port;
    this.url = `http://${this.host}:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.webhooks.idle();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The stripe SDK's connection options for this server. */
  get sdkOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: this.host, port: this.port, protocol: 'http' };
  }

  injectFault(plan: StripeFaultPlan): this {
    this.faults.inject(plan);
    return this;
  }

  configureWebhooks(endpoint: WebhookEndpoint | undefined, autoDeliver = this.webhooks.autoDeliver): this {
    this.webhooks.endpoint = endpoint;
    this.webhooks.autoDeliver = autoDeliver;
    return this;
  }

  customers(): CustomerObject[] {
    return this.ledger.allCustomers();
  }

  invoices(): InvoiceObject[] {
    return this.ledger.allInvoices();
  }

  events(): readonly EventObject[] {
    return this.ledger.events;
  }

  /** The customer pays (emits invoice.payment_succeeded and invoice.paid). */
  payInvoice(id: string): InvoiceObject {
    return this.testHelper(() => this.ledger.pay(id, {}));
  }

  /** A payment attempt is declined (emits invoice.payment_failed). */
  failInvoicePayment(id: string): InvoiceObject {
    return this.testHelper(() => this.ledger.failPayment(id));
  }

  /** Emits invoice.marked_uncollectible. */
  markInvoiceUncollectible(id: string): InvoiceObject {
    return this.testHelper(() => this.ledger.markUncollectible(id, {}));
  }

  /** (Re)delivers one event, optionally signed with another secret or timestamp. */
  deliverEvent(eventId: string, options?: DeliveryOptions): Promise<Delivery> {
    return this.webhooks.deliver(this.ledger.events.find((e) => e.id === eventId) ?? this.unknownEvent(eventId), options);
  }

  /** As if 24 hours had passed since every request: idempotency keys may be reused with other parameters. */
  expireIdempotencyKeys(): void {
    this.idempotency.expireAll();
  }

  reset(): void {
    this.ledger.reset();
    this.webhooks.reset();
    this.faults.clear();
    this.idempotency.expireAll();
    this.requests.length = 0;
  }

  private testHelper(change: () => InvoiceObject): InvoiceObject {
    try {
      return change();
    } catch (error) {
      if (error instanceof StripeApiError) throw new Error(error.message);
      throw error;
    }
  }

  private unknownEvent(id: string): never {
    throw new Error(`no event ${id}`);
  }

  private readonly routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/v1\/customers$/,
      operation: 'customers.create',
      handle: (p, _, ctx) => this.ledger.createCustomer(p, ctx),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/customers\/([^/]+)$/,
      operation: 'customers.retrieve',
      handle: (_, [id]) => this.ledger.retrieveCustomer(id),
    },
    { method: 'POST', pattern: /^\/v1\/invoices$/, operation: 'invoices.create', handle: (p, _, ctx) => this.ledger.createInvoice(p, ctx) },
    { method: 'GET', pattern: /^\/v1\/invoices$/, operation: 'invoices.list', handle: (p) => this.ledger.listInvoices(p) },
    {
      method: 'GET',
      pattern: /^\/v1\/invoices\/([^/]+)$/,
      operation: 'invoices.retrieve',
      handle: (_, [id]) => this.ledger.retrieveInvoice(id),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/invoices\/([^/]+)\/lines$/,
      operation: 'invoices.list_lines',
      handle: (p, [id]) => this.ledger.listLines(id, p),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/add_lines$/,
      operation: 'invoices.add_lines',
      handle: (p, [id]) => this.ledger.addLines(id, p),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/finalize$/,
      operation: 'invoices.finalize',
      handle: (p, [id], ctx) => this.ledger.finalize(id, p, ctx),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/void$/,
      operation: 'invoices.void',
      handle: (p, [id], ctx) => this.ledger.voidInvoice(id, p, ctx),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/pay$/,
      operation: 'invoices.pay',
      handle: (p, [id], ctx) => this.ledger.pay(id, p, ctx),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/mark_uncollectible$/,
      operation: 'invoices.mark_uncollectible',
      handle: (p, [id], ctx) => this.ledger.markUncollectible(id, p, ctx),
    },
    { method: 'GET', pattern: /^\/v1\/events$/, operation: 'events.list', handle: (p) => this.ledger.listEvents(p) },
    { method: 'GET', pattern: /^\/v1\/events\/([^/]+)$/, operation: 'events.retrieve', handle: (_, [id]) => this.ledger.retrieveEvent(id) },
  ];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const [path, query = ''] = (req.url ?? '/').split('?', 2);
    if (path.startsWith('/_control/')) return this.control(req.method ?? 'GET', path, body, res);

    const requestId = stripeId('req', 14);
    const error = (e: StripeApiError) => this.send(res, e.status, JSON.stringify(e.body()), { 'request-id': requestId });
    const apiKey = this.apiKey(req.headers.authorization);
    if (!apiKey) {
      return error(
        new StripeApiError(
          401,
          'invalid_request_error',
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ),
      );
    }
    if (!/^(sk|rk)_(test|live)_\w+$/.test(apiKey)) {
      return error(
        new StripeApiError(
          401,
          'invalid_request_error',
          `Invalid API Key provided: ${apiKey.slice(0, 8)}${'*'.repeat(Math.max(0, apiKey.length - 12))}${apiKey.slice(-4)}`,
        ),
      );
    }
    const method = req.method ?? 'GET';
    const found = this.route(method, path);
    if (!found) {
      return error(
        new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        ),
      );
    }
    const { route, ids } = found;
    let params: FormObject;
    try {
      params = parseForm(method === 'GET' ? query : body);
    } catch (e) {
      if (e instanceof FormError) return error(new StripeApiError(400, 'invalid_request_error', e.message));
      throw e;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' && value !== '' ? value : null;
    };
    // Stripe honours idempotency keys on POST only; a GET is idempotent by nature.
    const idempotencyKey = method === 'POST' ? header('idempotency-key') : null;
    const apiVersion = header('stripe-version');
    const ctx: RequestContext = { requestId, idempotencyKey, apiVersion };
    const scope = `${apiKey}\u0000${header('stripe-account') ?? ''}`;
    const endpoint = `${method} ${path}`;
    const fingerprint = canonical(params);
    const record: StripeRequestRecord = {
      method,
      path,
      operation: route.operation,
      idempotencyKey,
      params,
      status: 'no_answer',
      replayed: false,
    };
    this.requests.push(record);
    const baseHeaders: Record<string, string> = { 'request-id': requestId };
    if (apiVersion) baseHeaders['stripe-version'] = apiVersion;
    if (idempotencyKey) baseHeaders['idempotency-key'] = idempotencyKey;
    const answer = (reply: Reply, headers: Record<string, string> = {}) => {
      record.status = reply.status;
      this.send(res, reply.status, reply.body, { ...baseHeaders, ...headers });
    };

    const fault = this.faults.take(route.operation);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'rate_limit') {
      const e = new StripeApiError(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        'rate_limit',
      );
      return answer({ status: 429, body: JSON.stringify(e.body()) }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    }
    if (fault?.kind === 'drop_connection' && !fault.afterCommit) return this.drop(res);

    let reply: Reply;
    try {
      const saved = idempotencyKey ? this.idempotency.lookup(scope, idempotencyKey, endpoint, fingerprint) : undefined;
      if (saved) {
        record.replayed = true;
        return answer(saved, { 'idempotent-replayed': 'true', 'original-request': saved.requestId });
      }
      if (fault?.kind === 'server_error') {
        const e = new StripeApiError(500, 'api_error', 'An unknown error occurred while processing your request.');
        reply = { status: 500, body: JSON.stringify(e.body()) };
        if (idempotencyKey && fault.saved) this.idempotency.save(scope, idempotencyKey, endpoint, fingerprint, { ...reply, requestId });
        return answer(reply);
      }
      reply = { status: 200, body: JSON.stringify(route.handle(params, ids, ctx)) };
      if (idempotencyKey) this.idempotency.save(scope, idempotencyKey, endpoint, fingerprint, { ...reply, requestId });
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
      reply = { status: e.status, body: JSON.stringify(e.body()) };
      if (idempotencyKey && e.savedUnderIdempotencyKey) {
        this.idempotency.save(scope, idempotencyKey, endpoint, fingerprint, { ...reply, requestId });
      }
    }

    if (fault?.kind === 'drop_connection') return this.drop(res);
    if (fault?.kind === 'timeout_after_commit') {
      // Committed and saved; the answer never comes, or comes after the client gave up.
      if (fault.answerAfterMs !== undefined) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) answer(reply);
        }, fault.answerAfterMs);
        this.timers.add(timer);
      }
      return;
    }
    answer(reply);
  }

  private apiKey(authorization: string | undefined): string | undefined {
    if (!authorization) return undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (bearer) return bearer[1];
    // curl -u sk_test_…: sends Basic with the key as the user name.
    const basic = /^Basic\s+(\S+)$/i.exec(authorization);
    if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] || undefined;
    return undefined;
  }

  private route(method: string, path: string): { route: Route; ids: string[] } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (match) return { route, ids: match.slice(1).map(decodeURIComponent) };
    }
    return undefined;
  }

  private drop(res: ServerResponse): void {
    res.socket?.destroy();
  }

  private send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  private async control(method: string, path: string, body: string, res: ServerResponse): Promise<void> {
    const result = await handleControl(this, method, path, body);
    this.send(res, result.status, JSON.stringify(result.body, null, 2));
  }
}

export async function startStripeTestServer(options?: StripeTestServerOptions): Promise<StripeTestServer> {
  return new StripeTestServer(options).start();
}
