import {
  applyMetadata,
  badTransition,
  boolean,
  integer,
  invalidParam,
  missingParam,
  noSuch,
  oneOf,
  onlyParams,
  StripeApiError,
  text,
} from './errors';
import { list, type FormObject, type FormValue } from './form';
import {
  EMBEDDED_LINES,
  type CollectionMethod,
  type CustomerObject,
  type EventObject,
  type InvoiceObject,
  type LineItemObject,
  listOf,
  type ListObject,
  newCustomer,
  newInvoice,
  newLineItem,
  stripeId,
} from './objects';

/** What caused a change, for the event's `request` field. */
export interface RequestContext {
  requestId: string | null;
  idempotencyKey: string | null;
  apiVersion: string | null;
}

const NO_REQUEST: RequestContext = { requestId: null, idempotencyKey: null, apiVersion: null };

/** Stripe allows at most 250 invoice items on one invoice. */
export const MAX_LINES = 250;
const DAY = 86_400;

const clone = <T>(value: T): T => structuredClone(value);

/**
 * One Stripe account's customers, invoices and events, with Stripe's invoice state machine:
 * draft → open (finalize; a zero amount due is paid at once) → paid | uncollectible | void, and
 * uncollectible → paid | void. Every change that Stripe announces by webhook records an event.
 */
export class StripeLedger {
  private readonly customers = new Map<string, CustomerObject>();
  private readonly invoices = new Map<string, InvoiceObject>();
  private readonly lines = new Map<string, LineItemObject[]>();
  readonly events: EventObject[] = [];

  constructor(
    private readonly nowSeconds: () => number,
    private readonly hostedBaseUrl: () => string,
    private readonly onEvent: (event: EventObject) => void,
  ) {}

  reset(): void {
    this.customers.clear();
    this.invoices.clear();
    this.lines.clear();
    this.events.length = 0;
  }

  allCustomers(): CustomerObject[] {
    return [...this.customers.values()].map(clone);
  }

  allInvoices(): InvoiceObject[] {
    return [...this.invoices.values()].map((invoice) => this.render(invoice));
  }

  // Customers

  createCustomer(params: FormObject, ctx: RequestContext): CustomerObject {
    onlyParams(params, ['name', 'email', 'description', 'phone', 'metadata', 'expand']);
    const customer = newCustomer(this.nowSeconds(), {
      name: text(params, 'name'),
      email: text(params, 'email'),
      description: text(params, 'description'),
      phone: text(params, 'phone'),
      metadata: applyMetadata({}, params.metadata, 'metadata'),
    });
    this.customers.set(customer.id, customer);
    this.emit('customer.created', clone(customer), ctx);
    return clone(customer);
  }

  retrieveCustomer(id: string): CustomerObject {
    return clone(this.customer(id, 'id', 404));
  }

  // Invoices

  createInvoice(params: FormObject, ctx: RequestContext): InvoiceObject {
    onlyParams(params, [
      'customer',
      'currency',
      'collection_method',
      'days_until_due',
      'auto_advance',
      'pending_invoice_items_behavior',
      'description',
      'metadata',
      'expand',
    ]);
    const customerId = text(params, 'customer');
    if (!customerId) throw missingParam('customer');
    const customer = this.customer(customerId, 'customer', 400);
    const collectionMethod: CollectionMethod =
      oneOf(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically';
    const daysUntilDue = integer(params, 'days_until_due');
    if (collectionMethod === 'charge_automatically' && daysUntilDue !== undefined) {
      throw invalidParam('days_until_due', "You can only set `days_until_due` when `collection_method` is 'send_invoice'.");
    }
    if (collectionMethod === 'send_invoice' && daysUntilDue === undefined) throw missingParam('days_until_due');
    if (daysUntilDue !== undefined && daysUntilDue < 0) throw invalidParam('days_until_due', 'days_until_due must be at least 0.');
    oneOf(params, 'pending_invoice_items_behavior', ['exclude', 'include'] as const);
    const currency = text(params, 'currency') ?? customer.currency ?? 'usd';
    if (!/^[a-z]{3}$/.test(currency))
      throw invalidParam('currency', `Invalid currency: ${currency}. Stripe currently supports these currencies: usd, eur, …`);
    const now = this.nowSeconds();
    const invoice = newInvoice(now, customer, {
      currency,
      collectionMethod,
      dueDate: daysUntilDue === undefined ? null : now + daysUntilDue * DAY,
      autoAdvance: boolean(params, 'auto_advance') ?? false,
      description: text(params, 'description'),
      metadata: applyMetadata({}, params.metadata, 'metadata'),
    });
    this.invoices.set(invoice.id, invoice);
    this.lines.set(invoice.id, []);
    this.emit('invoice.created', this.render(invoice), ctx);
    return this.render(invoice);
  }

  retrieveInvoice(id: string): InvoiceObject {
    return this.render(this.invoice(id));
  }

  /** Newest first, as Stripe lists. */
  listInvoices(params: FormObject): ListObject<InvoiceObject> {
    onlyParams(params, ['customer', 'status', 'collection_method', 'limit', 'starting_after', 'ending_before', 'expand']);
    const customer = text(params, 'customer');
    const status = text(params, 'status');
    const collection = text(params, 'collection_method');
    const matching = [...this.invoices.values()]
      .reverse()
      .filter((i) => (customer === undefined || i.customer === customer) && (status === undefined || i.status === status))
      .filter((i) => collection === undefined || i.collection_method === collection);
    const page = paginate(matching, params, 'invoice');
    return listOf(
      page.data.map((i) => this.render(i)),
      page.hasMore,
      '/v1/invoices',
    );
  }

  listLines(id: string, params: FormObject): ListObject<LineItemObject> {
    onlyParams(params, ['limit', 'starting_after', 'ending_before', 'expand']);
    this.invoice(id);
    const page = paginate(this.lines.get(id)!, params, 'line item');
    return listOf(page.data.map(clone), page.hasMore, `/v1/invoices/${id}/lines`);
  }

  addLines(id: string, params: FormObject): InvoiceObject {
    onlyParams(params, ['lines', 'invoice_metadata', 'expand']);
    const invoice = this.invoice(id);
    const items = list(params.lines);
    if (params.lines === undefined) throw missingParam('lines');
    if (!items || items.length === 0) throw invalidParam('lines', 'Invalid array: lines must be a non-empty array');
    const now = this.nowSeconds();
    const added = items.map((item, i) => this.line(now, invoice, item, `lines[${i}]`));
    const metadata = applyMetadata(invoice.metadata, params.invoice_metadata, 'invoice_metadata');
    if (invoice.status !== 'draft') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `You can only add lines to a draft invoice; this invoice is ${invoice.status}.`,
        'invoice_not_editable',
      );
    }
    const lines = this.lines.get(id)!;
    if (lines.length + added.length > MAX_LINES) {
      throw new StripeApiError(400, 'invalid_request_error', `An invoice can have at most ${MAX_LINES} line items.`);
    }
    lines.push(...added);
    invoice.metadata = metadata;
    this.recompute(invoice);
    return this.render(invoice);
  }

  finalize(id: string, params: FormObject, ctx: RequestContext): InvoiceObject {
    onlyParams(params, ['auto_advance', 'expand']);
    const invoice = this.invoice(id);
    const autoAdvance = boolean(params, 'auto_advance');
    if (invoice.status !== 'draft') {
      throw badTransition(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`);
    }
    const now = this.nowSeconds();
    const customer = this.customers.get(invoice.customer)!;
    invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence++).padStart(4, '0')}`;
    customer.currency ??= invoice.currency;
    if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance;
    invoice.automatically_finalizes_at = null;
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = now;
    invoice.effective_at = now;
    invoice.hosted_invoice_url = `${this.hostedBaseUrl()}/i/${invoice.id}`;
    invoice.invoice_pdf = `${this.hostedBaseUrl()}/i/${invoice.id}/pdf`;
    if (invoice.total < 0) {
      // A negative total goes to the customer's credit balance; nothing is due.
      customer.balance += invoice.total;
      invoice.ending_balance = invoice.total;
    } else {
      invoice.ending_balance = 0;
    }
    this.emit('invoice.finalized', this.render(invoice), ctx);
    // As on Stripe: nothing to collect, so the invoice is paid the moment it is finalized.
    if (invoice.amount_due === 0) this.markPaid(invoice, ctx, false);
    else if (invoice.auto_advance && invoice.collection_method === 'charge_automatically') invoice.next_payment_attempt = now + 3600;
    return this.render(invoice);
  }

  voidInvoice(id: string, params: FormObject, ctx: RequestContext): InvoiceObject {
    onlyParams(params, ['expand']);
    const invoice = this.invoice(id);
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      throw badTransition(`You can only void open or uncollectible invoices; this invoice is ${invoice.status}.`);
    }
    invoice.status = 'void';
    invoice.status_transitions.voided_at = this.nowSeconds();
    invoice.next_payment_attempt = null;
    this.emit('invoice.voided', this.render(invoice), ctx);
    return this.render(invoice);
  }

  markUncollectible(id: string, params: FormObject, ctx: RequestContext = NO_REQUEST): InvoiceObject {
    onlyParams(params, ['expand']);
    const invoice = this.invoice(id);
    if (invoice.status !== 'open') throw badTransition(`You can only mark open invoices uncollectible; this invoice is ${invoice.status}.`);
    invoice.status = 'uncollectible';
    invoice.status_transitions.marked_uncollectible_at = this.nowSeconds();
    invoice.next_payment_attempt = null;
    this.emit('invoice.marked_uncollectible', this.render(invoice), ctx);
    return this.render(invoice);
  }

  /** The payment succeeds (POST /v1/invoices/{id}/pay, or the customer paying the hosted invoice). */
  pay(id: string, params: FormObject, ctx: RequestContext = NO_REQUEST): InvoiceObject {
    onlyParams(params, ['paid_out_of_band', 'expand']);
    const invoice = this.invoice(id);
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      throw badTransition(`You can only pay open or uncollectible invoices; this invoice is ${invoice.status}.`);
    }
    this.markPaid(invoice, ctx, boolean(params, 'paid_out_of_band') !== true);
    return this.render(invoice);
  }

  /** A payment attempt is declined: the invoice stays open, Stripe will try again. */
  failPayment(id: string, ctx: RequestContext = NO_REQUEST): InvoiceObject {
    const invoice = this.invoice(id);
    if (invoice.status !== 'open') throw badTransition(`Only open invoices have payment attempts; this invoice is ${invoice.status}.`);
    invoice.attempted = true;
    invoice.attempt_count += 1;
    invoice.next_payment_attempt = this.nowSeconds() + 3 * DAY;
    this.emit('invoice.payment_failed', this.render(invoice), ctx);
    return this.render(invoice);
  }

  retrieveEvent(id: string): EventObject {
    const event = this.events.find((e) => e.id === id);
    if (!event) throw noSuch('event', id, 'id', 404);
    return clone(event);
  }

  listEvents(params: FormObject): ListObject<EventObject> {
    onlyParams(params, ['type', 'limit', 'starting_after', 'ending_before']);
    const type = text(params, 'type');
    const matching = [...this.events].reverse().filter((e) => type === undefined || e.type === type);
    const page = paginate(matching, params, 'event');
    return listOf(page.data.map(clone), page.hasMore, '/v1/events');
  }

  private markPaid(invoice: InvoiceObject, ctx: RequestContext, attempted: boolean): void {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.status_transitions.paid_at = this.nowSeconds();
    invoice.next_payment_attempt = null;
    if (attempted) {
      invoice.attempted = true;
      invoice.attempt_count += 1;
    }
    if (attempted) this.emit('invoice.payment_succeeded', this.render(invoice), ctx);
    this.emit('invoice.paid', this.render(invoice), ctx);
  }

  private line(now: number, invoice: InvoiceObject, item: FormValue, param: string): LineItemObject {
    if (typeof item === 'string') throw invalidParam(param, `Invalid object: ${param} must be an object`);
    onlyParams(item, ['amount', 'description', 'metadata', 'period', 'discountable'], param);
    const amount = integer(item, 'amount', `${param}[amount]`);
    if (amount === undefined) throw missingParam(`${param}[amount]`);
    let period: { start: number; end: number } | undefined;
    if (item.period !== undefined) {
      if (typeof item.period === 'string') throw invalidParam(`${param}[period]`, 'Invalid object');
      onlyParams(item.period, ['start', 'end'], `${param}[period]`);
      const start = integer(item.period, 'start', `${param}[period][start]`);
      const end = integer(item.period, 'end', `${param}[period][end]`);
      if (start === undefined) throw missingParam(`${param}[period][start]`);
      if (end === undefined) throw missingParam(`${param}[period][end]`);
      if (end < start) throw invalidParam(`${param}[period][end]`, 'The period end must be at or after its start.');
      period = { start, end };
    }
    return newLineItem(now, invoice, {
      amount,
      description: text(item, 'description', `${param}[description]`),
      metadata: applyMetadata({}, item.metadata, `${param}[metadata]`),
      period,
      discountable: boolean(item, 'discountable'),
    });
  }

  private recompute(invoice: InvoiceObject): void {
    const total = this.lines.get(invoice.id)!.reduce((sum, line) => sum + line.amount, 0);
    invoice.subtotal = invoice.subtotal_excluding_tax = total;
    invoice.total = invoice.total_excluding_tax = total;
    invoice.amount_due = Math.max(0, total);
    invoice.amount_remaining = invoice.amount_due - invoice.amount_paid;
  }

  private render(invoice: InvoiceObject): InvoiceObject {
    const lines = this.lines.get(invoice.id)!;
    const rendered = clone(invoice);
    rendered.lines = listOf(lines.slice(0, EMBEDDED_LINES).map(clone), lines.length > EMBEDDED_LINES, `/v1/invoices/${invoice.id}/lines`);
    return rendered;
  }

  private customer(id: string, param: string, status: number): CustomerObject {
    const customer = this.customers.get(id);
    if (!customer) throw noSuch('customer', id, param, status);
    return customer;
  }

  private invoice(id: string): InvoiceObject {
    const invoice = this.invoices.get(id);
    if (!invoice) throw noSuch('invoice', id, 'id', 404);
    return invoice;
  }

  private emit(type: string, object: unknown, ctx: RequestContext): void {
    const event: EventObject = {
      id: stripeId('evt'),
      object: 'event',
      api_version: ctx.apiVersion,
      created: this.nowSeconds(),
      data: { object },
      livemode: false,
      pending_webhooks: 0,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    this.events.push(event);
    this.onEvent(event);
  }
}

function paginate<T extends { id: string }>(items: T[], params: FormObject, kind: string): { data: T[]; hasMore: boolean } {
  const limit = integer(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
  const after = text(params, 'starting_after');
  const before = text(params, 'ending_before');
  if (after !== undefined) {
    const at = items.findIndex((item) => item.id === after);
    if (at < 0) throw noSuch(kind, after, 'starting_after');
    const rest = items.slice(at + 1);
    return { data: rest.slice(0, limit), hasMore: rest.length > limit };
  }
  if (before !== undefined) {
    const at = items.findIndex((item) => item.id === before);
    if (at < 0) throw noSuch(kind, before, 'ending_before');
    const head = items.slice(0, at);
    return { data: head.slice(Math.max(0, head.length - limit)), hasMore: head.length > limit };
  }
  return { data: items.slice(0, limit), hasMore: items.length > limit };
}
