import type { CustomerPricingRow, EventToPriceRow } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { compileEventPricer, emptyUsage, validatePlan } from '@tollgate/pricing';
import type { RateVersion } from '@tollgate/rates';
import type { PlanVersion } from './plan-book';
import { priceEvents } from './price-events';
import type { RateLookup } from './rate-lookup';

// priceEvents alone: no database. The rate book is a fixed table here.

const DAY = 86_400_000;
const JAN_1 = Date.UTC(2026, 0, 1);

const gpt4o: RateVersion = {
  id: 'rate-1',
  provider: 'openai',
  model: 'gpt-4o',
  source: 'litellm',
  tiers: [],
  prices: { input_tokens: new Decimal('0.0000025'), output_tokens: new Decimal('0.00001') },
  effectiveFrom: new Date(0),
  fetchedAt: new Date(0),
};

const rates: RateLookup = {
  lookup: (_org, _provider, model) =>
    model === 'gpt-4o' ? { ok: true, version: gpt4o } : { ok: false, reason: `no rate card for ${model}` },
  generation: 0,
  refresh: async () => false,
};

function version(id: string, effectiveFrom: number, interval: 'month' | 'year', markup: string): PlanVersion {
  const result = validatePlan({
    code: 'pro',
    name: 'Pro',
    currency: 'USD',
    interval,
    charges: [{ name: id, models: ['*'], mode: 'price', markup }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { id, version: 1, effectiveFrom, plan: result.plan, price: compileEventPricer(result.plan) };
}

function event(id: string, at: number, model = 'gpt-4o'): EventToPriceRow {
  const usage = emptyUsage();
  usage.input_tokens = 1000n;
  usage.output_tokens = 100n;
  return {
    id,
    organization_id: 'org',
    customer_id: 'c1',
    occurred_at: new Date(at),
    received_at: new Date(at),
    provider: 'openai',
    model,
    reported_cost: null,
    status: 'success',
    usage,
  };
}

const customers = new Map<string, CustomerPricingRow>([['c1', { id: 'c1', plan_code: 'pro', billing_anchor: null }]]);

describe('priceEvents', () => {
  it('prices at the rate card in force and the plan version of the event’s period, exactly', () => {
    const [row] = priceEvents([event('1', JAN_1 + 40 * DAY)], customers, new Map([['pro', [version('v1', 0, 'month', '0.5')]]]), rates);
    // 1000 × 0.0000025 + 100 × 0.00001 = 0.0035; × 1.5
    expect(row).toMatchObject({
      status: 'priced',
      providerCost: '0.0035',
      ratedAmount: '0.00525',
      rateCardId: 'rate-1',
      charge: 'v1',
      planVersionId: 'v1',
    });
    expect(row.periodStart).toEqual(new Date(Date.UTC(2026, 1, 1)));
    expect(row.periodEnd).toEqual(new Date(Date.UTC(2026, 2, 1)));
  });

  it('cuts periods with the interval of the plan’s latest version, and bills a whole period on the version in force at its end', () => {
    const versions = [version('v1', 0, 'month', '0'), version('v2', JAN_1 + 200 * DAY, 'year', '1')];
    const [row] = priceEvents([event('1', JAN_1 + 40 * DAY)], customers, new Map([['pro', versions]]), rates);
    expect(row).toMatchObject({
      planVersionId: 'v2',
      ratedAmount: '0.007',
      periodStart: new Date(JAN_1),
      periodEnd: new Date(Date.UTC(2027, 0, 1)),
    });
  });

  it('leaves an event unpriced with the reason, never drops it', () => {
    const rows = priceEvents([event('1', JAN_1, 'mystery'), event('2', JAN_1)], customers, new Map(), rates);
    expect(rows.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['1', 'unpriced', 'the customer\'s plan "pro" does not exist'],
      ['2', 'unpriced', 'the customer\'s plan "pro" does not exist'],
    ]);
    const [unknown] = priceEvents([event('1', JAN_1, 'mystery')], customers, new Map([['pro', [version('v1', 0, 'month', '0')]]]), rates);
    expect(unknown).toMatchObject({ status: 'unpriced', reason: 'no rate card for mystery', providerCost: null });
  });

  it('never prices an event whose usage the SDK could not read', () => {
    const [row] = priceEvents(
      [{ ...event('1', JAN_1), status: 'usage_unknown' }],
      customers,
      new Map([['pro', [version('v1', 0, 'month', '0')]]]),
      rates,
    );
    expect(row).toMatchObject({ status: 'unpriced', reason: expect.stringMatching(/^usage unknown/), providerCost: null });
  });
});
