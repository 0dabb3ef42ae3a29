import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { ConflictError } from '../errors';
import { assertInvoiceId, lockInvoice, type InvoiceCommand } from './invoice-commands';
import { InvoiceReader } from './invoice-reader';
import { InvoiceSettler } from './invoice-settler';
import type { InvoiceView } from './invoice-view';

/**
 * POST /v1/invoices/{id}/finalize: an operator approves a draft (a plan that requires approval, or before its
 * grace period ends). It is computed once more and finalized in one transaction. Finalizing a finalized
 * invoice returns it unchanged.
 */
@Injectable()
export class FinalizeInvoice {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly settler: InvoiceSettler,
    private readonly reader: InvoiceReader,
    private readonly clock: Clock,
  ) {}

  async execute(command: InvoiceCommand): Promise<InvoiceView> {
    assertInvoiceId(command.invoiceId);
    const now = this.clock.now();
    const settled = await this.transactions.run(async (tx) => {
      await this.invoices.lockBilling(tx, [command.organizationId], 'shared');
      const invoice = await lockInvoice(this.invoices, tx, command);
      if (invoice.status === 'void')
        throw new ConflictError(
          'invoice_void',
          `invoice ${invoice.id} is void: POST /v1/invoices/${invoice.id}/reissue bills its period again`,
        );
      if (invoice.status !== 'draft') return { finalized: [], published: [] };
      const settled = await this.settler.settle(tx, [invoice], now, true);
      if (settled.failed.length > 0)
        throw new ConflictError('invoice_not_computable', `invoice ${invoice.id} cannot be computed: ${settled.failed[0].error}`);
      return settled;
    });
    await this.settler.afterCommit(settled);
    const row = await this.invoices.find(this.invoices.reader, command.organizationId, command.invoiceId);
    return (await this.reader.views([row!]))[0];
  }
}
