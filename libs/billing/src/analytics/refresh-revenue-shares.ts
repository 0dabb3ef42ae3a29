import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type AttributionLineRow, type RevenueShare, type ShareCellRow } from '@tollgate/db';
import { scaledWeight } from './allocate';
import { compareKeys, eachInvoice, GROUP_SEP, indexCells, splitInvoice } from './attribute-revenue';

/** Cells in split order: by model, then provider (a charge's cells of one period). */
const compareCells = (a: ShareCellRow, b: ShareCellRow) => compareKeys([a.model, a.provider], [b.model, b.provider]);

/**
 * Every invoice's revenue taken apart as the margin report's attribution does (docs/design.md "Analytics"), down
 * to the finest cells: a usage line's net over the analytics_periods rows of its charge in the period it bills, by
 * rated amount; billed usage of a period with cells but none of its charge under the billed period with no keys;
 * the rest at the customer level under the invoice's own period. Every invoice keeps a customer-level row (0 if
 * nothing is left there), so that its currency counts where its period starts.
 */
export function revenueShares(lines: readonly AttributionLineRow[], cells: readonly ShareCellRow[]): RevenueShare[] {
  const cellsOf = indexCells(cells, (c) => c, compareCells);
  const out: RevenueShare[] = [];
  eachInvoice(lines, (invoice) => {
    const first = invoice[0];
    const shares = new Map<string, RevenueShare>();
    const add = (invoiceLevel: boolean, periodStart: string, charge: string, provider: string, model: string, amount: bigint) => {
      const key = [invoiceLevel, periodStart, charge, provider, model].join(GROUP_SEP);
      const had = shares.get(key);
      if (had) had.revenueMilli += amount;
      else {
        const share = { invoiceId: first.invoice_id, customerId: first.customer_id, periodStart, invoiceLevel, charge, provider, model };
        shares.set(key, { ...share, revenueMilli: amount, currency: first.currency });
      }
    };
    add(true, first.invoice_period_start, '', '', '', 0n);
    splitInvoice<ShareCellRow>(invoice, {
      cells: cellsOf,
      weight: (c) => scaledWeight(c.rated_amount),
      cell: (c, amount) => add(false, c.period_start, c.charge, c.provider, c.model, amount),
      unpriced: (line, amount) => add(false, line.period_start!, '', '', '', amount),
      customer: (amount) => add(true, first.invoice_period_start, '', '', '', amount),
    });
    out.push(...shares.values());
  });
  return out;
}

/**
 * Computes again the stored revenue shares of an organisation's invoices marked stale (by the triggers of
 * migration 20261205100000_revenue_shares: their lines, their status, the cells of the periods they bill changed),
 * in one transaction. The margin report runs it before it sums the shares.
 */
@Injectable()
export class RefreshRevenueShares {
  constructor(private readonly analytics: AnalyticsRepository) {}

  /** How many invoices were computed. */
  async organization(organizationId: string): Promise<number> {
    return this.analytics.refreshRevenueShares(organizationId, revenueShares);
  }
}
