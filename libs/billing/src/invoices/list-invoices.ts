import { Injectable } from '@nestjs/common';
import { InvoicesRepository } from '@tollgate/db';
import { InvoiceReader } from './invoice-reader';
import type { InvoiceView } from './invoice-view';

export const INVOICE_STATUSES = ['draft', 'finalized', 'paid', 'payment_failed', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface ListInvoicesQuery {
  organizationId: string;
  externalCustomerId?: string;
  status?: InvoiceStatus;
  /** Bounds on the period's start: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  /** The last invoice of the previous page. */
  after: { periodStart: Date; id: string } | null;
  limit: number;
}

/** GET /v1/invoices: newest period first, then by id, so paging is stable while invoices are added. */
@Injectable()
export class ListInvoices {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly reader: InvoiceReader,
  ) {}

  async execute(q: ListInvoicesQuery): Promise<{ invoices: InvoiceView[]; nextAfter: { periodStart: Date; id: string } | null }> {
    const rows = await this.invoices.list(
      this.invoices.reader,
      q.organizationId,
      { externalCustomerId: q.externalCustomerId, status: q.status, from: q.from, to: q.to },
      q.after,
      q.limit + 1,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      invoices: await this.reader.views(page),
      nextAfter: rows.length > q.limit ? { periodStart: last.period_start, id: last.id } : null,
    };
  }
}
