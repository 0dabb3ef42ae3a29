import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { StripeEventsRepository, StripePushesRepository, Transactions, type StripeEventOutcome } from '@tollgate/db';
import { StripeGateway, StripeWebhookSignatureError, type StripeWebhookEvent } from '@tollgate/stripe';
import { BillingError, ConflictError } from '../errors';
import { MarkInvoicePaid } from '../invoices/mark-invoice-paid';
import { isUuid } from '../webhooks/ids';
import { ApplyStripeInvoiceEvent } from './apply-stripe-invoice-event';
import { STRIPE_METRICS, type StripeMetrics } from './stripe-metrics';

export interface StripeWebhookCommand {
  /** The body exactly as received: the signature is over these bytes. */
  rawBody: Buffer;
  /** The Stripe-Signature header. */
  signature: string | undefined;
}

export interface StripeWebhookResult {
  eventId: string;
  type: string;
  /** applied / unchanged / ignored, or duplicate: handled before (by its Stripe id). */
  outcome: StripeEventOutcome | 'duplicate';
  invoiceId: string | null;
}

/** A delivery whose signature does not hold (or that cannot be checked): 400, nothing done. */
export class InvalidSignatureError extends BillingError {
  constructor(message: string) {
    super('invalid', 'invalid_signature', message);
  }
}

/**
 * POST /v1/webhooks/stripe (docs/api.md "Stripe webhooks"). No API key: the signature over the raw body, with
 * STRIPE_WEBHOOK_SECRET, is the only authentication, and a stale one is refused. One Stripe account serves the
 * instance, so the invoice an event is about is found by Stripe's invoice id (or our id in its metadata), and its
 * organisation with it. Each event is handled once by its Stripe id: a redelivery answers `duplicate`. Events
 * about anything else, or about invoices that are not ours, are acknowledged and ignored.
 */
@Injectable()
export class HandleStripeWebhook {
  private readonly logger = new Logger('stripe');

  constructor(
    private readonly events: StripeEventsRepository,
    private readonly pushes: StripePushesRepository,
    private readonly transactions: Transactions,
    private readonly markPaid: MarkInvoicePaid,
    private readonly apply: ApplyStripeInvoiceEvent,
    @Optional() private readonly gateway?: StripeGateway,
    @Optional() @Inject(STRIPE_METRICS) private readonly metrics?: StripeMetrics,
  ) {}

  async execute({ rawBody, signature }: StripeWebhookCommand): Promise<StripeWebhookResult> {
    const event = this.verify(rawBody, signature);
    const seen = await this.events.find(event.id);
    if (seen) return { eventId: event.id, type: event.type, outcome: 'duplicate', invoiceId: seen.invoice_id };

    const ignored = async (stripeInvoiceId: string | null): Promise<StripeWebhookResult> => {
      const recorded = await this.events.record({
        id: event.id,
        type: event.type,
        stripe_invoice_id: stripeInvoiceId,
        invoice_id: null,
        outcome: 'ignored',
        created_at: event.created,
      });
      return { eventId: event.id, type: event.type, outcome: recorded ? 'ignored' : 'duplicate', invoiceId: null };
    };
    if (event.kind === 'other') return ignored(null);
    const stripeInvoice = event.invoice;
    const tollgateId = stripeInvoice.tollgateInvoiceId;
    const invoice = await this.events.invoiceFor(stripeInvoice.id, tollgateId !== null && isUuid(tollgateId) ? tollgateId : null);
    if (invoice === null) return ignored(stripeInvoice.id);

    const result = (outcome: StripeEventOutcome): StripeWebhookResult => ({
      eventId: event.id,
      type: event.type,
      outcome,
      invoiceId: invoice.id,
    });
    if (event.type !== 'invoice.paid') {
      return result(
        await this.apply.execute({
          organizationId: invoice.organization_id,
          invoiceId: invoice.id,
          stripeInvoiceId: stripeInvoice.id,
          event: { id: event.id, type: event.type, created: event.created },
        }),
      );
    }

    // Paid: our invoice first (the guarded transition, grants, invoice.paid), then Stripe's status and the event.
    // A crash between the two leaves the event unrecorded: Stripe redelivers it and the payment changes nothing.
    try {
      await this.markPaid.execute({
        organizationId: invoice.organization_id,
        invoiceId: invoice.id,
        source: 'stripe',
        paidAt: event.created,
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Voided here while Stripe collected it: someone must refund or reissue.
      this.logger.error({
        msg: 'Stripe collected an invoice that is void here',
        invoice: invoice.id,
        stripeInvoice: stripeInvoice.id,
        err: err.message,
      });
      this.metrics?.alert('paid_after_void');
    }
    const outcome = await this.transactions.run(async (tx) => {
      await this.pushes.recordStripeInvoice(tx, invoice.id, stripeInvoice.id, 'paid');
      const outcome: StripeEventOutcome = invoice.status === 'paid' && invoice.stripe_status === 'paid' ? 'unchanged' : 'applied';
      await this.events.record(
        { id: event.id, type: event.type, stripe_invoice_id: stripeInvoice.id, invoice_id: invoice.id, outcome, created_at: event.created },
        tx,
      );
      return outcome;
    });
    return result(outcome);
  }

  private verify(rawBody: Buffer, signature: string | undefined): StripeWebhookEvent {
    if (!this.gateway)
      throw new InvalidSignatureError('Stripe is not configured here (STRIPE_SECRET_KEY): its webhooks cannot be verified');
    try {
      return this.gateway.verifyWebhook(rawBody, signature);
    } catch (err) {
      if (err instanceof StripeWebhookSignatureError) throw new InvalidSignatureError(`${err.reason}: ${err.message}`);
      throw err;
    }
  }
}
