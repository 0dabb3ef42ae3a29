import { Decimal } from '@tollgate/money';
import { computeInvoice, type Invoice, type InvoiceInput } from './compute-invoice';
import { aggregate } from './test-support/aggregates';
import { plan } from './test-support/plans';

const d = (s: string) => new Decimal(s);
const pro = plan({
  base_fee: '49.00',
  included_usage: '20.00',
  minimum_commitment: '100.00',
  charges: [
    { name: 'premium', models: ['*opus*'], markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
    { name: 'flat', models: ['gpt-*'], mode: 'token', token_prices: { input_tokens: '2', output_tokens: '8' }, margin_floor: '0.5' },
    { name: 'standard', models: ['*'], markup: '0.3', margin_floor: '0.2' },
  ],
});
const previous = plan({ charges: [{ name: 'standard', models: ['*'], markup: '0.3', margin_floor: '0.2' }] });

const noExtras: InvoiceInput = {
  plan: pro,
  usage: [],
  late_usage: [],
  discount: d('0'),
  coupons: [],
  grants: [],
  as_of: new Date('2026-11-01T00:00:00Z'),
};

const table = (invoice: Invoice) => invoice.lines.map((l) => [l.type, l.charge, l.amount.toFixed(2), l.floor_applied]);

describe('computeInvoice', () => {
  it('runs steps 1–9 in order on a worked example', () => {
    const invoice = computeInvoice({
      ...noExtras,
      usage: [
        aggregate('standard', '10.004', '13.0052', { input_tokens: 1000n }, 7n),
        aggregate('premium', '40.00', '60.00'),
        aggregate('flat', '1', '5.555'),
      ],
      late_usage: [{ period_start: new Date('2026-09-01T00:00:00Z'), plan: previous, usage: [aggregate('standard', '2', '2.6')] }],
      discount: d('0.10'),
      coupons: [
        { id: 'ten', kind: 'percentage', percent: d('10') },
        { id: 'five', kind: 'fixed', amount: d('5') },
      ],
      grants: [
        { id: 'b', remaining: d('20.005'), priority: 1, expires_at: null, created_at: new Date('2026-01-01') },
        { id: 'a', remaining: d('100'), priority: 0, expires_at: null, created_at: new Date('2026-02-01') },
      ],
    });
    expect(table(invoice)).toEqual([
      // 60 × 0.9 = 54 < 40 / 0.7 = 57.142857…: floored.
      ['usage', 'premium', '57.14', true],
      // 5.555 × 0.9 = 4.9995 ≥ 1 / 0.5: kept, rounded half away from zero.
      ['usage', 'flat', '5.00', false],
      // 13.0052 × 0.9 = 11.70468 < 10.004 / 0.8 = 12.505 → 12.51.
      ['usage', 'standard', '12.51', true],
      ['late_usage', 'standard', '2.50', true],
      // Eligible: 5.00 + 12.51 = 17.51, under the 20.00 included.
      ['allowance', null, '-17.51', false],
      ['base_fee', null, '49.00', false],
      // Usage net of allowance: 74.65 − 17.51 = 57.14; late usage and base fee do not count.
      ['minimum_commitment', null, '42.86', false],
      // 10% of 151.50.
      ['coupon', null, '-15.15', false],
      ['coupon', null, '-5.00', false],
      ['credits', null, '-120.00', false],
    ]);
    expect(invoice.lines[0].amount_precise.toFixed().startsWith('57.142857142857')).toBe(true);
    expect(invoice.lines[2].amount_precise.toFixed()).toBe('12.505');
    expect(invoice.lines[3].description).toBe('Late usage (period from 2026-09-01): standard');
    expect(invoice.lines[2].usage).toMatchObject({ events: 7n, rated_amount: d('13.0052'), period_start: null });
    expect(invoice.subtotal.toFixed(2)).toBe('131.35');
    expect(invoice.credits_applied.toFixed(2)).toBe('120.00');
    expect(invoice.total.toFixed(2)).toBe('11.35');
    expect(invoice.credit_consumption.map((c) => [c.grant_id, c.amount.toFixed(2)])).toEqual([
      ['a', '100.00'],
      ['b', '20.00'],
    ]);
    expect(invoice.coupons_applied).toEqual(['ten', 'five']);
  });

  it('bills the base fee and the whole minimum on an empty period; coupons stop at zero; credits cover the rest', () => {
    const invoice = computeInvoice({
      ...noExtras,
      coupons: [
        { id: 'big', kind: 'fixed', amount: d('500') },
        { id: 'after', kind: 'percentage', percent: d('50') },
      ],
      grants: [{ id: 'g', remaining: d('10'), priority: 0, expires_at: null, created_at: new Date('2026-01-01') }],
    });
    expect(table(invoice)).toEqual([
      ['base_fee', null, '49.00', false],
      ['minimum_commitment', null, '100.00', false],
      ['coupon', null, '-149.00', false],
    ]);
    expect(invoice.coupons_applied).toEqual(['big']);
    expect([invoice.subtotal.toFixed(2), invoice.credits_applied.toFixed(2), invoice.total.toFixed(2)]).toEqual(['0.00', '0.00', '0.00']);
  });

  it('allowance above usage is capped; minimum met leaves no top-up; credits never exceed the subtotal', () => {
    const simple = plan({ included_usage: '1000', minimum_commitment: '0', charges: [{ name: 'all', models: ['*'], markup: '0' }] });
    const invoice = computeInvoice({
      ...noExtras,
      plan: simple,
      usage: [aggregate('all', '3.333', '3.333')],
      grants: [{ id: 'g', remaining: d('10'), priority: 0, expires_at: null, created_at: new Date('2026-01-01') }],
    });
    expect(table(invoice)).toEqual([
      ['usage', 'all', '3.33', false],
      ['allowance', null, '-3.33', false],
    ]);
    expect(invoice.total.isZero()).toBe(true);
    expect(invoice.credit_consumption).toEqual([]);
  });

  it('rounds to the currency minor unit (JPY: none)', () => {
    const yen = plan({ currency: 'JPY', charges: [{ name: 'all', models: ['*'], markup: '0.5' }] });
    const invoice = computeInvoice({ ...noExtras, plan: yen, usage: [aggregate('all', '101', '151.5')] });
    expect(invoice.lines.map((l) => l.amount.toFixed())).toEqual(['152']);
    expect(invoice.total.toFixed()).toBe('152');
  });
});
