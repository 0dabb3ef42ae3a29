import { Decimal } from '@tollgate/money';
import { computeInvoice, emptyUsage } from '@tollgate/pricing';
import { computedView, invoiceJson } from './invoice-view';

const usage = { ...emptyUsage(), input_tokens: 1000n, requests: 2n };
const invoice = computeInvoice({
  plan: {
    code: 'p',
    name: 'P',
    currency: 'USD',
    interval: 'month',
    base_fee: new Decimal(0),
    included_usage: new Decimal(0),
    minimum_commitment: new Decimal(0),
    grace_period_hours: 0,
    requires_approval: false,
    prepaid: false,
    cost_source: 'rate_card',
    customer_line_detail: 'per_charge',
    charges: [
      {
        name: 'all',
        models: ['*'],
        mode: 'price',
        markup: new Decimal('0.5'),
        token_prices: {},
        margin_floor: new Decimal('0.4'),
        allowance_eligible: true,
      },
    ],
  },
  usage: [{ charge: 'all', events: 2n, provider_cost: new Decimal('1'), rated_amount: new Decimal('1.5'), tokens: usage }],
  late_usage: [],
  discount: new Decimal(0),
  coupons: [],
  grants: [],
  as_of: new Date(0),
});
const view = computedView(
  {
    id: null,
    number: null,
    status: 'preview',
    type: 'usage',
    external_customer_id: 'c',
    plan_code: 'p',
    period_start: new Date('2026-10-01T00:00:00Z'),
    period_end: new Date('2026-11-01T00:00:00Z'),
    finalize_after: null,
    requires_approval: false,
    finalized_at: null,
    voided_at: null,
    void_reason: null,
    stripe_invoice_id: null,
    stripe_status: null,
    created_at: null,
    compute_error: null,
  },
  invoice,
  1,
  new Decimal(0),
);

describe('invoiceJson', () => {
  it("shows the operator's costs to admin keys: provider_cost and whether the floor bound", () => {
    const [line] = invoiceJson(view, { costs: true }).lines;
    // 1 / (1 − 0.4) = 1.666…: kept to 30 decimal places, rounded half away from zero.
    expect(line).toEqual({
      type: 'usage',
      description: 'Usage: all',
      charge: 'all',
      provider_cost: '1',
      amount: '1.67',
      amount_precise: '1.666666666666666666666666666667',
      floor_applied: true,
      events: 2,
      rated_amount: '1.5',
      tokens: expect.objectContaining({ input_tokens: 1000, requests: 2 }),
    });
  });

  it("hides them when the view is not an admin's (the portal)", () => {
    const json = invoiceJson(view, { costs: false });
    expect(json.lines[0]).not.toHaveProperty('provider_cost');
    expect(json.lines[0]).not.toHaveProperty('floor_applied');
    expect(json).not.toHaveProperty('compute_error');
    expect(json).toMatchObject({ subtotal: '1.67', total: '1.67', credits_applied: '0.00' });
  });
});
