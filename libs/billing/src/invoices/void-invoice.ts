import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { CreditWallet } from '../credits/credit-wallet';
import { ConflictError } from '../errors';
import { assertInvoiceId, lockInvoice, type InvoiceCommand } from './invoice-commands';
import { InvoiceReader } from './invoice-reader';
import { StripePushes } from '../stripe/stripe-pushes';
import type { InvoiceView } from './invoice-view';

export interface VoidInvoiceCommand extends InvoiceCommand {
  reason: string;
}

/**
 * POST /v1/invoices/{id}/void: the invoice no longer bills (a draft, a finalized or a payment_failed one; a paid
 * one cannot be voided). It keeps its number and records why. Its period's usage is billed again only by a
 * reissue (POST /v1/invoices/{id}/reissue); `once` coupons it used become usable again. Voiding a void invoice
 * returns it unchanged. One pushed to Stripe is voided there too (its push's void step). The credits it used are
 * given back (reversal entries in the ledger); a credit purchase voided unpaid never grants its credits.
 */
@Injectable()
export class VoidInvoice {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly reader: InvoiceReader,
    private readonly stripe: StripePushes,
    private readonly wallet: CreditWallet,
    private readonly clock: Clock,
  ) {}

  async execute(command: VoidInvoiceCommand): Promise<InvoiceView> {
    assertInvoiceId(command.invoiceId);
    const pushed = await this.transactions.run(async (tx) => {
      const invoice = await lockInvoice(this.invoices, tx, command);
      if (invoice.status === 'void') return false;
      if (!(await this.invoices.void(tx, invoice.id, command.reason, this.clock.now()))) {
        throw new ConflictError('invoice_not_voidable', `invoice ${invoice.id} is ${invoice.status}: a paid invoice cannot be voided`);
      }
      // The credits it used come back (reversal entries); a credit purchase's unpaid grant is canceled.
      await this.wallet.voided(tx, invoice, this.clock.now());
      // Pushed (or being pushed): Stripe's invoice is voided too, or its draft deleted, by the push's void step.
      return this.stripe.requestVoid(tx, invoice.id);
    });
    if (pushed) await this.stripe.enqueue([command.invoiceId], 'void');
    const row = await this.invoices.find(this.invoices.reader, command.organizationId, command.invoiceId);
    return (await this.reader.views([row!]))[0];
  }
}
