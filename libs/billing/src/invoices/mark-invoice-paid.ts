import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { CreditWallet } from '../credits/credit-wallet';
import { ConflictError } from '../errors';
import { invoicePayload } from '../stripe/invoice-event-payload';
import { PublishWebhookEvent } from '../webhooks/publish-webhook-event';
import { assertInvoiceId, lockInvoice, type InvoiceCommand } from './invoice-commands';
import { InvoiceReader } from './invoice-reader';
import type { InvoiceView } from './invoice-view';

export interface MarkInvoicePaidCommand extends InvoiceCommand {
  /** manual: POST /v1/invoices/{id}/mark_paid (an offline payment); stripe: Stripe's invoice.paid. */
  source: 'manual' | 'stripe';
  /** When it was paid (Stripe's event time); default now. */
  paidAt?: Date;
}

/**
 * A finalized (or payment_failed) invoice is paid (POST /v1/invoices/{id}/mark_paid, an offline payment, or Stripe's
 * invoice.paid): the transition guarded by its status, `invoice.paid` published with it and, for a credit purchase,
 * its grant made usable, all in one transaction. Marking a paid invoice paid returns it unchanged; a draft or a
 * void one is 409 `invoice_not_payable`.
 */
@Injectable()
export class MarkInvoicePaid {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly reader: InvoiceReader,
    private readonly webhooks: PublishWebhookEvent,
    private readonly wallet: CreditWallet,
    private readonly clock: Clock,
  ) {}

  async execute(command: MarkInvoicePaidCommand): Promise<InvoiceView> {
    assertInvoiceId(command.invoiceId);
    const paidAt = command.paidAt ?? this.clock.now();
    const published = await this.transactions.run(async (tx) => {
      const invoice = await lockInvoice(this.invoices, tx, command);
      if (invoice.status === 'paid') return null;
      if (!(await this.invoices.markPaid(tx, invoice.id)))
        throw new ConflictError('invoice_not_payable', `invoice ${invoice.id} is ${invoice.status}: only a finalized invoice can be paid`);
      await this.wallet.paid(tx, invoice, paidAt);
      return this.webhooks.publish(tx, {
        organizationId: invoice.organization_id,
        type: 'invoice.paid',
        subjectKey: `invoice:${invoice.id}`,
        payload: invoicePayload(invoice, { status: 'paid', paid_at: paidAt.toISOString(), source: command.source }),
      });
    });
    if (published) await this.webhooks.dispatch(published);
    const row = await this.invoices.find(this.invoices.reader, command.organizationId, command.invoiceId);
    return (await this.reader.views([row!]))[0];
  }
}
