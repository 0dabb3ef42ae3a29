import { Injectable } from '@nestjs/common';
import { InvoicesRepository } from '@tollgate/db';
import { NotFoundError } from '../errors';
import { assertInvoiceId, type InvoiceCommand } from './invoice-commands';
import { InvoiceReader } from './invoice-reader';
import type { InvoiceView } from './invoice-view';

/** GET /v1/invoices/{id}: a draft as computed now, any other invoice as it was finalized. */
@Injectable()
export class GetInvoice {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly reader: InvoiceReader,
  ) {}

  async execute(query: InvoiceCommand): Promise<InvoiceView> {
    assertInvoiceId(query.invoiceId);
    const row = await this.invoices.find(this.invoices.reader, query.organizationId, query.invoiceId);
    if (row === null) throw new NotFoundError(`invoice "${query.invoiceId}" not found`);
    return (await this.reader.views([row]))[0];
  }
}
