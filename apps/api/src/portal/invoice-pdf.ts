import PDFDocument from 'pdfkit';
import type { PortalCustomer, PortalInvoice } from '@tollgate/billing';
import { Decimal } from '@tollgate/money';
import { formatMoney } from '../pages';
import { formatDate, formatPeriod, invoiceTitle, statusLabel } from './portal-format';

/**
 * The invoice as a PDF (pdfkit, drawn, not a browser print): number, customer, period, the lines as the
 * customer sees them (the plan's customer_line_detail) and the totals. Built from a PortalInvoice, which holds
 * no provider cost, so none can reach the file. Standard fonts: no font files to ship.
 */
export function invoicePdf(customer: PortalCustomer, invoice: PortalInvoice): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: invoiceTitle(invoice), Creator: 'Tollgate' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (amount: string) => formatMoney(amount, invoice.currency);
  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;
  const amountX = right - 140;

  doc.font('Helvetica-Bold').fontSize(20).text(invoiceTitle(invoice));
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  const facts: [string, string][] = [
    ['Customer', customer.name ?? customer.externalId],
    ['Customer id', customer.externalId],
    ['Period', formatPeriod(invoice.periodStart, invoice.periodEnd)],
    ['Status', statusLabel(invoice.status)],
    ...(invoice.finalizedAt ? ([['Issued', formatDate(invoice.finalizedAt)]] as [string, string][]) : []),
    ['Currency', invoice.currency],
  ];
  for (const [label, value] of facts) doc.text(`${label}: ${value}`);
  doc.moveDown();

  const row = (description: string, amount: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(11);
    doc.text(description, left, y, { width: amountX - left - 12 });
    const after = doc.y;
    doc.text(amount, amountX, y, { width: right - amountX, align: 'right' });
    doc.y = Math.max(after, doc.y) + 4;
    doc.x = left;
  };
  const rule = () => {
    doc.moveTo(left, doc.y).lineTo(right, doc.y).lineWidth(0.5).stroke();
    doc.y += 6;
  };

  row('Description', 'Amount', true);
  rule();
  for (const line of invoice.lines) row(line.description, money(line.amount));
  rule();
  row('Subtotal', money(invoice.subtotal));
  if (!new Decimal(invoice.creditsApplied).isZero()) row('Credits applied', money(new Decimal(invoice.creditsApplied).neg().toFixed()));
  row('Total', money(invoice.total), true);
  doc.end();
  return done;
}
