import type { InvoiceRow } from '@tollgate/db';
import { Decimal, formatAmount } from '@tollgate/money';

/** The `data` of the invoice.* webhook events (docs/api.md, "Webhooks"): which invoice, whose, how much (as the invoice shows it). */
export function invoicePayload(invoice: InvoiceRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoice_id: invoice.id,
    number: invoice.number,
    type: invoice.type,
    customer_id: invoice.customer_id,
    external_customer_id: invoice.external_customer_id,
    currency: invoice.currency,
    total: formatAmount(new Decimal(invoice.total), invoice.currency),
    period_start: invoice.period_start.toISOString(),
    period_end: invoice.period_end.toISOString(),
    stripe_invoice_id: invoice.stripe_invoice_id,
    ...extra,
  };
}
