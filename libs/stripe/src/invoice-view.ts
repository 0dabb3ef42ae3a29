import type Stripe from 'stripe';
import type { StripeInvoice, StripeInvoiceLine, StripeInvoiceStatus, StripeInvoiceSummary } from './stripe-gateway';
import { fromMinorUnits, tollgateCurrency } from './minor-units';

/** Metadata keys Tollgate writes on Stripe objects. */
export const METADATA = {
  invoiceId: 'tollgate_invoice_id',
  customerId: 'tollgate_customer_id',
  lineId: 'tollgate_line_id',
  linesAdded: 'tollgate_lines_added',
} as const;

function idOf(ref: string | { id?: string } | null): string {
  return typeof ref === 'string' ? ref : (ref?.id ?? '');
}

export function invoiceSummary(invoice: Stripe.Invoice): StripeInvoiceSummary {
  const currency = tollgateCurrency(invoice.currency);
  return {
    id: invoice.id,
    customerId: idOf(invoice.customer),
    tollgateInvoiceId: invoice.metadata?.[METADATA.invoiceId] ?? null,
    // Stripe types status as nullable only for preview invoices, which Tollgate never asks for.
    status: invoice.status as StripeInvoiceStatus,
    currency,
    total: fromMinorUnits(invoice.total, currency),
    amountDue: fromMinorUnits(invoice.amount_due, currency),
    amountPaid: fromMinorUnits(invoice.amount_paid, currency),
    number: invoice.number,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
  };
}

export function invoiceLine(line: Stripe.InvoiceLineItem, currency: string): StripeInvoiceLine {
  return {
    id: line.id,
    amount: fromMinorUnits(line.amount, currency),
    description: line.description,
    tollgateLineId: line.metadata?.[METADATA.lineId] ?? null,
  };
}

/** The invoice with every line (`lines` are the complete list, fetched page by page by the caller if needed). */
export function invoiceView(invoice: Stripe.Invoice, lines: Stripe.InvoiceLineItem[]): StripeInvoice {
  const summary = invoiceSummary(invoice);
  const linesAdded = invoice.metadata?.[METADATA.linesAdded];
  return {
    ...summary,
    // The SDK widens enums with `string & {}`; Stripe only has these two.
    collection: invoice.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    lines: lines.map((line) => invoiceLine(line, summary.currency)),
    linesAddedCount: linesAdded !== undefined && /^\d+$/.test(linesAdded) ? Number(linesAdded) : null,
  };
}
