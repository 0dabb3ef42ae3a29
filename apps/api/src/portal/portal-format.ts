import type { PortalInvoice } from '@tollgate/billing';

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "1 Nov 2026" (UTC, as periods are cut). */
export const formatDate = (d: Date) => DATE.format(d);

/** A period as people read it: its last day is the day before its (exclusive) end. */
export const formatPeriod = (start: Date, end: Date) => `${formatDate(start)} – ${formatDate(new Date(end.getTime() - 1))}`;

const STATUS: Record<PortalInvoice['status'], string> = {
  preview: 'Estimate',
  draft: 'Draft',
  finalized: 'Issued',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  void: 'Void',
};

export const statusLabel = (status: PortalInvoice['status']) => STATUS[status];

/** "Invoice TG-0001", or what an unnumbered one is. */
export const invoiceTitle = (invoice: PortalInvoice) =>
  invoice.number === null ? `Invoice for ${formatPeriod(invoice.periodStart, invoice.periodEnd)}` : `Invoice ${invoice.number}`;
