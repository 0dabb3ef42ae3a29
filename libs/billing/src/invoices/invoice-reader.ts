import { Injectable } from '@nestjs/common';
import { InvoicesRepository, type InvoiceLineRow, type InvoiceRow, type Tx } from '@tollgate/db';
import { Clock } from '../clock';
import { InvoiceSettler } from './invoice-settler';
import { computedView, headerOf, storedView, type InvoiceView } from './invoice-view';

/**
 * Stored invoices as views. A draft is shown as computed now (it follows its period's usage until it is
 * finalized; what the billing cycle stored is only its latest computation); any other status as stored.
 */
@Injectable()
export class InvoiceReader {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly settler: InvoiceSettler,
    private readonly clock: Clock,
  ) {}

  async views(rows: readonly InvoiceRow[], db: Tx = this.invoices.reader): Promise<InvoiceView[]> {
    const drafts = rows.filter((r) => r.status === 'draft');
    const computed = await this.settler.computeDrafts(db, drafts, this.clock.now());
    const subjects = new Map(drafts.map((d, i) => [d.id, computed[i]]));
    const lines = new Map<string, InvoiceLineRow[]>();
    for (const l of await this.invoices.lines(
      db,
      rows.filter((r) => !subjects.get(r.id)?.ok).map((r) => r.id),
    )) {
      lines.set(l.invoice_id, [...(lines.get(l.invoice_id) ?? []), l]);
    }
    return rows.map((row) => {
      const c = subjects.get(row.id);
      if (c?.ok) return computedView(headerOf(row), c.invoice, c.version.version, c.discount);
      // A draft that cannot be computed now shows its last computation, with the reason (compute_error).
      const view = storedView(row, lines.get(row.id) ?? []);
      return c && !c.ok ? { ...view, compute_error: c.error } : view;
    });
  }
}
