import { Injectable } from '@nestjs/common';
import { InvoicesRepository, StripeEventsRepository, StripePushesRepository, Transactions, type StripeEventOutcome } from '@tollgate/db';
import { Clock } from '../clock';
import { CreditWallet } from '../credits/credit-wallet';
import { lockInvoice } from '../invoices/invoice-commands';
import { PublishWebhookEvent, type PublishedEvent } from '../webhooks/publish-webhook-event';
import { invoicePayload } from './invoice-event-payload';

export interface StripeInvoiceEventCommand {
  organizationId: string;
  invoiceId: string;
  stripeInvoiceId: string;
  event: {
    id: string;
    type: 'invoice.finalized' | 'invoice.payment_failed' | 'invoice.marked_uncollectible' | 'invoice.voided';
    created: Date;
  };
}

/** The Stripe status each event means. */
const STRIPE_STATUS = {
  'invoice.finalized': 'open',
  'invoice.payment_failed': 'open',
  'invoice.marked_uncollectible': 'uncollectible',
  'invoice.voided': 'void',
} as const;

/**
 * What Stripe says happened to one of our pushed invoices, other than a payment (MarkInvoicePaid takes those):
 * its `stripe_status` moves forward only (an event that arrives late or twice changes nothing), and ours follows:
 * a failed payment or an uncollectible invoice makes a finalized one `payment_failed` (with `invoice.payment_failed`),
 * a void one on Stripe voids a finalized or payment_failed one here (its `once` coupons usable again, its period
 * billed again only by a reissue). A paid or void invoice never moves back. The event is recorded in the same
 * transaction, by its Stripe id.
 */
@Injectable()
export class ApplyStripeInvoiceEvent {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly pushes: StripePushesRepository,
    private readonly events: StripeEventsRepository,
    private readonly webhooks: PublishWebhookEvent,
    private readonly wallet: CreditWallet,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, invoiceId, stripeInvoiceId, event }: StripeInvoiceEventCommand): Promise<StripeEventOutcome> {
    const { outcome, published } = await this.transactions.run(async (tx) => {
      const invoice = await lockInvoice(this.invoices, tx, { organizationId, invoiceId });
      const status = STRIPE_STATUS[event.type];
      const stored = await this.pushes.recordStripeInvoice(tx, invoice.id, stripeInvoiceId, status);
      let changed = stored !== invoice.stripe_status;
      let published: PublishedEvent | null = null;
      if (event.type === 'invoice.payment_failed' || event.type === 'invoice.marked_uncollectible') {
        if (await this.invoices.markPaymentFailed(tx, invoice.id)) {
          changed = true;
          published = await this.webhooks.publish(tx, {
            organizationId,
            type: 'invoice.payment_failed',
            subjectKey: `invoice:${invoice.id}`,
            payload: invoicePayload(
              { ...invoice, stripe_invoice_id: stripeInvoiceId },
              { status: 'payment_failed', stripe_status: stored, failed_at: event.created.toISOString() },
            ),
          });
        }
      }
      if (event.type === 'invoice.voided' && (invoice.status === 'finalized' || invoice.status === 'payment_failed')) {
        await this.invoices.void(tx, invoice.id, `voided on Stripe (${stripeInvoiceId})`, this.clock.now());
        await this.wallet.voided(tx, invoice, this.clock.now());
        await this.pushes.markVoided(tx, invoice.id);
        changed = true;
      }
      const outcome: StripeEventOutcome = changed ? 'applied' : 'unchanged';
      await this.events.record(
        { id: event.id, type: event.type, stripe_invoice_id: stripeInvoiceId, invoice_id: invoice.id, outcome, created_at: event.created },
        tx,
      );
      return { outcome, published };
    });
    if (published) await this.webhooks.dispatch(published);
    return outcome;
  }
}
