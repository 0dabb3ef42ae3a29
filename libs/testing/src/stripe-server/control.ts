import type { StripeFaultPlan } from './faults';
import type { StripeTestServer } from './server';

// The control API: what tests do in-process, over HTTP (JSON), for the server run as its own process.
//
//   GET    /_control/state                          customers, invoices, events, pending webhooks, deliveries
//   GET    /_control/requests                       every API call: operation, idempotency key, status, replayed, fault
//   POST   /_control/faults                         {"kind","operation"?,"times"?,"retry_after_seconds"?,"answer_after_ms"?,"after_commit"?,"saved"?}
//   DELETE /_control/faults                         disarm every fault
//   PUT    /_control/webhook                        {"url","secret","auto_deliver"?}; DELETE turns delivery off
//   POST   /_control/invoices/{id}/pay              the customer pays        -> invoice.paid
//   POST   /_control/invoices/{id}/fail_payment     a payment is declined    -> invoice.payment_failed
//   POST   /_control/invoices/{id}/mark_uncollectible                        -> invoice.marked_uncollectible
//   GET    /_control/events                         every event, oldest first
//   POST   /_control/events/{id}/deliver            (re)deliver one, {"secret"?,"timestamp"?} to forge or age the signature
//   POST   /_control/events/deliver_pending         {"order": "oldest_first" | "newest_first"}
//   POST   /_control/idempotency/expire             as if 24 h had passed for every idempotency key
//   POST   /_control/reset                          empty account, no faults, no deliveries

export interface ControlReply {
  status: number;
  body: unknown;
}

const FAULT_KINDS = ['server_error', 'rate_limit', 'timeout_after_commit', 'drop_connection'];

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ControlError(400, 'the body must be a JSON object');
}

function optionalInt(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new ControlError(400, `${name} must be a non-negative integer`);
  return value;
}

function faultPlan(body: Record<string, unknown>): StripeFaultPlan {
  const kind = body.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind)) throw new ControlError(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
  const common = {
    operation: body.operation as StripeFaultPlan['operation'],
    times: optionalInt(body, 'times'),
  };
  switch (kind) {
    case 'server_error':
      return { kind, saved: body.saved === true, ...common };
    case 'rate_limit':
      return { kind, retryAfterSeconds: optionalInt(body, 'retry_after_seconds'), ...common };
    case 'timeout_after_commit':
      return { kind, answerAfterMs: optionalInt(body, 'answer_after_ms'), ...common };
    default:
      return { kind: 'drop_connection', afterCommit: body.after_commit === true, ...common };
  }
}

function route(
  server: StripeTestServer,
  method: string,
  path: string,
  body: Record<string, unknown>,
): ControlReply | Promise<ControlReply> {
  const ok = (value: unknown): ControlReply => ({ status: 200, body: value });
  const segments = path.split('/').slice(2).map(decodeURIComponent);
  const at = `${method} /${segments.join('/')}`;
  if (at === 'GET /state') {
    return ok({
      url: server.url,
      customers: server.customers(),
      invoices: server.invoices(),
      events: server.events().map((e) => ({ id: e.id, type: e.type, created: e.created })),
      pending_webhooks: server.webhooks.pending.map((e) => e.id),
      deliveries: server.webhooks.deliveries,
      faults_pending: server.faults.pending(),
    });
  }
  if (at === 'GET /requests') return ok(server.requests);
  if (at === 'POST /faults') {
    server.injectFault(faultPlan(body));
    return { status: 201, body: { faults_pending: server.faults.pending() } };
  }
  if (at === 'DELETE /faults') {
    server.faults.clear();
    return ok({ faults_pending: 0 });
  }
  if (at === 'PUT /webhook') {
    if (typeof body.url !== 'string' || typeof body.secret !== 'string') throw new ControlError(400, 'url and secret are required');
    server.configureWebhooks({ url: body.url, secret: body.secret }, body.auto_deliver !== false);
    return ok({ url: body.url, auto_deliver: server.webhooks.autoDeliver });
  }
  if (at === 'DELETE /webhook') {
    server.configureWebhooks(undefined);
    return ok({ url: null });
  }
  if (at === 'GET /events') return ok(server.events());
  if (at === 'POST /events/deliver_pending') {
    const order = body.order === 'newest_first' ? 'newest_first' : 'oldest_first';
    return server.webhooks.deliverPending(order).then(ok);
  }
  if (at === 'POST /idempotency/expire') {
    server.expireIdempotencyKeys();
    return ok({ expired: true });
  }
  if (at === 'POST /reset') {
    server.reset();
    return ok({ reset: true });
  }
  const [resource, id, action] = segments;
  if (method === 'POST' && resource === 'events' && action === 'deliver' && segments.length === 3) {
    return server.deliverEvent(id, { secret: body.secret as string | undefined, timestamp: optionalInt(body, 'timestamp') }).then(ok);
  }
  if (method === 'POST' && resource === 'invoices' && segments.length === 3) {
    if (action === 'pay') return ok(server.payInvoice(id));
    if (action === 'fail_payment') return ok(server.failInvoicePayment(id));
    if (action === 'mark_uncollectible') return ok(server.markInvoiceUncollectible(id));
  }
  throw new ControlError(404, `no control endpoint ${method} ${path}`);
}

export async function handleControl(server: StripeTestServer, method: string, path: string, rawBody: string): Promise<ControlReply> {
  try {
    return await route(server, method, path, json(rawBody));
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: { message: error.message } } };
    // A test helper refused (unknown invoice or event, a transition Stripe does not allow).
    return { status: 400, body: { error: { message: (error as Error).message } } };
  }
}
