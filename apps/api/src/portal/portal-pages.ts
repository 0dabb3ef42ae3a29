import type { PortalCustomer, PortalInvoice, PortalPeriod } from '@tollgate/billing';
import { Decimal } from '@tollgate/money';
import { chart, formatMoney, html, layout, type Html, type NavLink } from '../pages';
import { formatDate, formatPeriod, invoiceTitle, statusLabel } from './portal-format';

// The customer portal's pages (docs/design.md, "The customer portal"). They render Portal* views, which hold
// what the customer is billed and nothing of the operator's costs.

export const PORTAL_PATH = '/portal';
const SITE = 'Billing portal';

type Section = 'invoices' | 'usage';

function nav(current: Section | null): NavLink[] {
  return [
    { href: PORTAL_PATH, label: 'Invoices', current: current === 'invoices' },
    { href: `${PORTAL_PATH}/usage`, label: 'Current period', current: current === 'usage' },
  ];
}

const who = (c: PortalCustomer) => (c.name === null ? c.externalId : `${c.name} (${c.externalId})`);
const footer = (c: PortalCustomer) =>
  html`Signed in with a link for ${who(c)}. Amounts are what you are billed, in the invoice's currency.`;

/** The lines, then subtotal, credits and total: a table of what the invoice bills. */
function invoiceTable(invoice: PortalInvoice, caption: string): Html {
  const money = (a: string) => formatMoney(a, invoice.currency);
  const credits = new Decimal(invoice.creditsApplied);
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Description</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>${
    invoice.lines.length === 0
      ? html`<tr><td colspan="2">Nothing billed.</td></tr>`
      : invoice.lines.map((l) => html`<tr><td>${l.description}</td><td class="num">${money(l.amount)}</td></tr>`)
  }</tbody>
<tfoot>
<tr><th scope="row">Subtotal</th><td class="num">${money(invoice.subtotal)}</td></tr>
${!credits.isZero() && html`<tr><th scope="row">Credits applied</th><td class="num">${money(credits.neg().toFixed())}</td></tr>`}
<tr><th scope="row">Total</th><td class="num" data-total>${money(invoice.total)}</td></tr>
</tfoot>
</table>`;
}

export function invoicesPage(customer: PortalCustomer, invoices: readonly PortalInvoice[], more: boolean, limit: number): Html {
  const rows = invoices.map(
    (i) => html`<tr>
<th scope="row"><a href="${PORTAL_PATH}/invoices/${i.id ?? ''}">${i.number ?? 'Unnumbered'}</a></th>
<td>${formatPeriod(i.periodStart, i.periodEnd)}</td>
<td>${statusLabel(i.status)}</td>
<td class="num">${formatMoney(i.total, i.currency)}</td>
<td><a href="${PORTAL_PATH}/invoices/${i.id ?? ''}/pdf" aria-label="PDF of invoice ${i.number ?? ''}">PDF</a></td>
</tr>`,
  );
  const main =
    invoices.length === 0
      ? html`<p>No invoices yet. <a href="${PORTAL_PATH}/usage">See the current period so far.</a></p>`
      : html`<table>
<caption>Invoices of ${who(customer)}, newest first</caption>
<thead><tr><th scope="col">Number</th><th scope="col">Period</th><th scope="col">Status</th><th scope="col" class="num">Total</th><th scope="col">Download</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${more && html`<p class="note">The newest ${limit} invoices are shown.</p>`}`;
  return layout({ title: 'Invoices', site: SITE, nav: nav('invoices'), main, footer: footer(customer) });
}

export function invoicePage(customer: PortalCustomer, invoice: PortalInvoice): Html {
  const main = html`<dl class="facts">
<dt>Status</dt><dd>${statusLabel(invoice.status)}</dd>
<dt>Period</dt><dd>${formatPeriod(invoice.periodStart, invoice.periodEnd)}</dd>
${invoice.finalizedAt && html`<dt>Issued</dt><dd>${formatDate(invoice.finalizedAt)}</dd>`}
<dt>Customer</dt><dd>${who(customer)}</dd>
</dl>
${invoiceTable(invoice, 'Lines and totals')}
<p><a href="${PORTAL_PATH}/invoices/${invoice.id ?? ''}/pdf">Download this invoice as a PDF</a></p>
<p><a href="${PORTAL_PATH}">Back to all invoices</a></p>`;
  return layout({ title: invoiceTitle(invoice), site: SITE, nav: nav(null), main, footer: footer(customer) });
}

export function periodPage({ customer, since, invoice, byModel, byDay, pendingEvents, credit }: PortalPeriod): Html {
  const money = (a: string) => formatMoney(a, invoice.currency);
  const count = (n: string | number) => BigInt(n).toLocaleString('en-US');
  const main = html`<p>Since ${formatDate(since)}, up to now; the period ends on ${formatDate(new Date(invoice.periodEnd.getTime() - 1))}.${
    pendingEvents > 0 && html` ${count(pendingEvents)} recent requests are still being priced and will be added.`
  }</p>
<h2>Balance</h2>
<dl class="facts">
<dt>This period so far (estimated invoice total)</dt><dd data-period-total>${money(invoice.total)}</dd>
${
  credit &&
  html`<dt>Prepaid balance</dt><dd data-prepaid>${money(credit.balance)}</dd>
<dt>Ongoing balance (prepaid balance after this period so far)</dt><dd data-ongoing>${money(credit.ongoingBalance)}</dd>`
}
<dt>Spending cap</dt><dd>${customer.spendCap === null ? 'None' : money(customer.spendCap)}</dd>
</dl>
<h2>Daily usage</h2>
${chart({
  id: 'daily-usage',
  kind: 'bar',
  title: 'Usage charges per day',
  description: `Usage charges per day (UTC) since ${formatDate(since)}, before included usage, minimums and credits.`,
  labels: byDay.map((d) => d.day),
  labelHeading: 'Day (UTC)',
  series: [{ name: 'Usage charges', values: byDay.map((d) => d.amount) }],
  format: money,
})}
<h2>Usage by model</h2>
${
  byModel.length === 0
    ? html`<p>No usage yet this period.</p>`
    : html`<table>
<caption>Usage by model this period</caption>
<thead><tr><th scope="col">Model</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Input tokens</th><th scope="col" class="num">Output tokens</th><th scope="col" class="num">Usage charges</th></tr></thead>
<tbody>${byModel.map(
        (m) =>
          html`<tr><th scope="row">${m.model}</th><td class="num">${count(m.events)}</td><td class="num">${count(m.inputTokens)}</td><td class="num">${count(m.outputTokens)}</td><td class="num">${money(m.amount)}</td></tr>`,
      )}</tbody>
</table>`
}
<h2>Estimated invoice</h2>
<p class="note">What this period's invoice would be if it closed now.</p>
${invoiceTable(invoice, 'Estimated lines and totals')}`;
  return layout({ title: 'Current period', site: SITE, nav: nav('usage'), main, footer: footer(customer) });
}

/** A page saying why there is nothing to show (an expired link, an invoice that is not yours). */
export function messagePage(title: string, message: string, withNav: boolean): Html {
  return layout({
    title,
    site: SITE,
    nav: withNav ? nav(null) : [],
    main: html`<p>${message}</p>`,
  });
}
