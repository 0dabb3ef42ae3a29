import { Decimal } from '@tollgate/money';
import { emptyUsage } from '@tollgate/pricing';
import type { InvoiceLineView, InvoiceView } from '../invoices/invoice-view';
import { portalInvoice } from './portal-views';

const line = (type: InvoiceLineView['type'], description: string, amount: string, providerCost: string | null = null): InvoiceLineView => ({
  type,
  description,
  charge: type === 'usage' ? description.replace('Usage: ', '') : null,
  provider_cost: providerCost === null ? null : new Decimal(providerCost),
  amount: new Decimal(amount),
  amount_precise: new Decimal(amount),
  floor_applied: type === 'usage',
  usage: type === 'usage' ? { events: 3n, rated_amount: new Decimal(amount), tokens: emptyUsage() } : null,
  late_period_start: null,
  coupon_id: null,
});

const view: InvoiceView = {
  id: 'a0000000-0000-4000-8000-000000000001',
  number: 'TG-2026-000001',
  status: 'finalized',
  type: 'standard',
  external_customer_id: 'acme',
  plan_code: 'pro',
  plan_version: 1,
  period_start: new Date('2026-10-01T00:00:00Z'),
  period_end: new Date('2026-11-01T00:00:00Z'),
  currency: 'USD',
  discount: new Decimal(0),
  lines: [
    line('usage', 'Usage: premium', '12.34', '7.123456'),
    line('usage', 'Usage: standard', '0.66', '0.5'),
    line('base_fee', 'Base fee: Pro', '20.00'),
    line('credits', 'Credits', '-5.00'),
  ],
  subtotal: new Decimal('33.00'),
  credits_applied: new Decimal('5.00'),
  total: new Decimal('28.00'),
  finalize_after: null,
  requires_approval: false,
  finalized_at: new Date('2026-11-01T00:00:00Z'),
  voided_at: null,
  void_reason: null,
  stripe_invoice_id: 'in_1',
  stripe_status: 'open',
  created_at: new Date('2026-11-01T00:00:00Z'),
  compute_error: 'never shown',
};

describe('portalInvoice', () => {
  it('keeps what the customer is billed, rounded as the invoice, the credits apart', () => {
    expect(portalInvoice(view, 'per_charge')).toEqual({
      id: view.id,
      number: 'TG-2026-000001',
      status: 'finalized',
      periodStart: view.period_start,
      periodEnd: view.period_end,
      currency: 'USD',
      finalizedAt: view.finalized_at,
      lines: [
        { description: 'Usage: premium', amount: '12.34' },
        { description: 'Usage: standard', amount: '0.66' },
        { description: 'Base fee: Pro', amount: '20.00' },
      ],
      subtotal: '33.00',
      creditsApplied: '5.00',
      total: '28.00',
    });
  });

  it('holds no provider cost, floor or computation error, whatever the detail', () => {
    for (const detail of ['per_charge', 'summary'] as const) {
      const text = JSON.stringify(portalInvoice(view, detail));
      expect(text).not.toMatch(/7\.123456|0\.5"|provider|floor|never shown|in_1/);
    }
  });

  it('shows one usage line on a summary plan', () => {
    expect(portalInvoice(view, 'summary').lines).toEqual([
      { description: 'Usage', amount: '13.00' },
      { description: 'Base fee: Pro', amount: '20.00' },
    ]);
  });
});
