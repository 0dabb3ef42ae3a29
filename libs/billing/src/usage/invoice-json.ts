import { type Decimal, formatAmount } from '@tollgate/money';
import type { Invoice } from '@tollgate/pricing';

const dec = (v: Decimal) => v.toFixed();

/** An invoice as the API shows it: amounts rounded to the currency's minor unit, precise ones beside them. */
export function invoiceToJson(invoice: Invoice) {
  return {
    currency: invoice.currency,
    lines: invoice.lines.map((l) => ({
      type: l.type,
      description: l.description,
      charge: l.charge,
      provider_cost: l.provider_cost === null ? null : dec(l.provider_cost),
      amount: formatAmount(l.amount, invoice.currency),
      amount_precise: dec(l.amount_precise),
      floor_applied: l.floor_applied,
      ...(l.usage ? { events: Number(l.usage.events), rated_amount: dec(l.usage.rated_amount) } : {}),
    })),
    subtotal: formatAmount(invoice.subtotal, invoice.currency),
    credits_applied: formatAmount(invoice.credits_applied, invoice.currency),
    total: formatAmount(invoice.total, invoice.currency),
  };
}
