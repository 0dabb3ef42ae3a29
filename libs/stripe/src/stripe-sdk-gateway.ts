import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { StripeSettings } from '@tollgate/config';
import { isCurrency } from '@tollgate/money';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from './api-version';
import { classifyStripeError } from './classify-error';
import { type StripeOperation, StripePermanentError, StripeWebhookSignatureError } from './errors';
import { invoiceSummary, invoiceView, METADATA } from './invoice-view';
import { NotMinorUnitsError, toMinorUnits } from './minor-units';
import {
  type AddInvoiceLinesInput,
  type CreateInvoiceInput,
  type EnsureCustomerInput,
  type FindInvoiceInput,
  STRIPE_INVOICE_EVENTS,
  StripeGateway,
  type StripeCustomerRef,
  type StripeInvoice,
  type StripeInvoiceEventType,
  type InvoiceTransitionInput,
  type StripeWebhookEvent,
} from './stripe-gateway';

export const STRIPE_SETTINGS = Symbol('stripe-settings');

/** Stripe caps an invoice at 250 items, so one add_lines call can always carry all of them. */
export const MAX_INVOICE_LINES = 250;
/** Stripe's default webhook tolerance: a signature older than this is refused (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** StripeGateway over the official SDK; the only class that talks to Stripe. */
@Injectable()
export class StripeSdkGateway extends StripeGateway implements OnModuleDestroy {
  private readonly stripe: Stripe;
  private readonly agent: HttpAgent;

  constructor(@Inject(STRIPE_SETTINGS) private readonly settings: StripeSettings) {
    super();
    const { protocol, host, port } = settings.apiBase;
    this.agent = protocol === 'http' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
    this.stripe = new Stripe(settings.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      protocol,
      host,
      port,
      // The stripe BullMQ queue owns retries (with backoff and the shared rate limit), so the SDK makes one
      // attempt. It still retries a connection closed under it once, with the same idempotency key.
      maxNetworkRetries: 0,
      timeout: settings.timeoutMs,
      httpAgent: this.agent,
      telemetry: false,
      appInfo: { name: 'tollgate' },
    });
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }

  async ensureCustomer(input: EnsureCustomerInput): Promise<StripeCustomerRef> {
    if (input.stripeCustomerId !== undefined) {
      const id = input.stripeCustomerId;
      const customer = await this.call('customers.retrieve', () => this.stripe.customers.retrieve(id));
      if (customer.deleted) {
        throw new StripePermanentError(
          { operation: 'customers.retrieve', message: `customer ${id} is deleted on Stripe`, code: 'resource_missing' },
          'not_found',
        );
      }
      return { id: customer.id, created: false };
    }
    const customer = await this.call('customers.create', () =>
      this.stripe.customers.create(
        { name: input.name, email: input.email, metadata: { [METADATA.customerId]: input.tollgateCustomerId } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: customer.id, created: true };
  }

  async createInvoice(input: CreateInvoiceInput): Promise<StripeInvoice> {
    this.checkCurrency('invoices.create', input.currency);
    const params: Stripe.InvoiceCreateParams = {
      customer: input.stripeCustomerId,
      currency: input.currency.toLowerCase(),
      collection_method: input.collection.method,
      // Off while we build the draft (Stripe would finalize it an hour after creation); finalize turns it on.
      auto_advance: false,
      // Only our lines: never sweep in invoice items someone left pending on the customer.
      pending_invoice_items_behavior: 'exclude',
      description: input.description,
      metadata: { ...input.metadata, [METADATA.invoiceId]: input.tollgateInvoiceId },
    };
    if (input.collection.method === 'send_invoice') params.days_until_due = input.collection.daysUntilDue;
    const invoice = await this.call('invoices.create', () => this.stripe.invoices.create(params, { idempotencyKey: input.idempotencyKey }));
    return this.withAllLines(invoice);
  }

  async addInvoiceLines(input: AddInvoiceLinesInput): Promise<StripeInvoice> {
    const operation = 'invoices.add_lines';
    this.checkCurrency(operation, input.currency);
    if (input.lines.length === 0 || input.lines.length > MAX_INVOICE_LINES) {
      throw new StripePermanentError(
        { operation, message: `an invoice takes 1 to ${MAX_INVOICE_LINES} lines, got ${input.lines.length}` },
        'invalid_request',
      );
    }
    let lines: Stripe.InvoiceAddLinesParams.Line[];
    try {
      lines = input.lines.map((line) => ({
        amount: toMinorUnits(line.amount, input.currency),
        description: line.description,
        metadata: line.tollgateLineId === undefined ? undefined : { [METADATA.lineId]: line.tollgateLineId },
        period: line.period && { start: seconds(line.period.start), end: seconds(line.period.end) },
      }));
    } catch (error) {
      if (error instanceof NotMinorUnitsError) throw new StripePermanentError({ operation, message: error.message }, 'invalid_amount');
      throw error;
    }
    const invoice = await this.call(operation, () =>
      this.stripe.invoices.addLines(
        input.stripeInvoiceId,
        // The marker lands with the lines in one request: a retrieve tells whether they are already there.
        { lines, invoice_metadata: { [METADATA.linesAdded]: String(lines.length) } },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return this.withAllLines(invoice);
  }

  async finalizeInvoice(input: InvoiceTransitionInput): Promise<StripeInvoice> {
    const invoice = await this.call('invoices.finalize', () =>
      // auto_advance on from here: Stripe charges the payment method or emails the invoice, then retries and reminds.
      this.stripe.invoices.finalizeInvoice(input.stripeInvoiceId, { auto_advance: true }, { idempotencyKey: input.idempotencyKey }),
    );
    return this.withAllLines(invoice);
  }

  async voidInvoice(input: InvoiceTransitionInput): Promise<StripeInvoice> {
    const invoice = await this.call('invoices.void', () =>
      this.stripe.invoices.voidInvoice(input.stripeInvoiceId, {}, { idempotencyKey: input.idempotencyKey }),
    );
    return this.withAllLines(invoice);
  }

  async retrieveInvoice(stripeInvoiceId: string): Promise<StripeInvoice> {
    const invoice = await this.call('invoices.retrieve', () => this.stripe.invoices.retrieve(stripeInvoiceId));
    return this.withAllLines(invoice);
  }

  // Listing the customer's invoices, not Stripe's search: search is eventually consistent (an invoice created
  // a moment ago may not be found, which is exactly the case this lookup guards) and limited to 20 reads/s.
  async findInvoice(input: FindInvoiceInput): Promise<StripeInvoice | null> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('invoices.list', () =>
        this.stripe.invoices.list({ customer: input.stripeCustomerId, limit: 100, starting_after: startingAfter }),
      );
      const found = page.data.find((invoice) => invoice.metadata?.[METADATA.invoiceId] === input.tollgateInvoiceId);
      if (found) return this.withAllLines(found);
      if (!page.has_more || page.data.length === 0) return null;
      startingAfter = page.data[page.data.length - 1].id;
    }
  }

  verifyWebhook(rawBody: Buffer | string, signatureHeader: string | undefined): StripeWebhookEvent {
    const secret = this.settings.webhookSecret;
    if (!secret) throw new StripeWebhookSignatureError('no_secret', 'STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified');
    if (!signatureHeader) throw new StripeWebhookSignatureError('missing_signature', 'no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, WEBHOOK_TOLERANCE_SECONDS);
    } catch (error) {
      const message = (error as Error).message;
      // The SDK checks the signature first, so a stale timestamp is reported only on an authentic payload.
      const stale = error instanceof Stripe.errors.StripeSignatureVerificationError && /tolerance/i.test(message);
      throw new StripeWebhookSignatureError(stale ? 'stale' : 'invalid', message.split('\n')[0]);
    }
    const created = new Date(event.created * 1000);
    if ((STRIPE_INVOICE_EVENTS as readonly string[]).includes(event.type)) {
      const invoice = event.data.object as Stripe.Invoice;
      return { kind: 'invoice', id: event.id, type: event.type as StripeInvoiceEventType, created, invoice: invoiceSummary(invoice) };
    }
    return { kind: 'other', id: event.id, type: event.type, created };
  }

  /** Stripe embeds the first lines of an invoice; the rest are fetched page by page. */
  private async withAllLines(invoice: Stripe.Invoice): Promise<StripeInvoice> {
    const lines = [...invoice.lines.data];
    let hasMore = invoice.lines.has_more;
    while (hasMore) {
      const after = lines[lines.length - 1].id;
      const page = await this.call('invoices.list_lines', () =>
        this.stripe.invoices.listLineItems(invoice.id, { limit: 100, starting_after: after }),
      );
      lines.push(...page.data);
      hasMore = page.has_more && page.data.length > 0;
    }
    return invoiceView(invoice, lines);
  }

  private checkCurrency(operation: StripeOperation, currency: string): void {
    if (!isCurrency(currency)) {
      throw new StripePermanentError({ operation, message: `unknown currency "${currency}"`, param: 'currency' }, 'invalid_request');
    }
  }

  private async call<T>(operation: StripeOperation, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyStripeError(operation, error);
    }
  }
}
