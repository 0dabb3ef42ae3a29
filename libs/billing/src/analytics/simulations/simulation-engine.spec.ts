import { Decimal } from '@tollgate/money';
import {
  compileEventPricer,
  emptyUsage,
  providerCost,
  USAGE_DIMENSIONS,
  validatePlan,
  type Plan,
  type PriceSheet,
  type Usage,
} from '@tollgate/pricing';
import type { BilledPeriodRow, SimulatedEventRow, SummedEventsRow } from '@tollgate/db';
import { parseScenario, type ScenarioJson } from './scenario';
import { SimulationEngine } from './simulation-engine';

// Events summed per card, tier and non-zero dimensions are priced once: the result must be exactly what pricing each
// event alone and adding gives, tiers and refusals included.

const checked = validatePlan({ code: 'p', name: 'P', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '0.25' }] });
const plan = (checked as { ok: true; plan: Plan }).plan;
const CARD: PriceSheet = {
  prices: { input_tokens: new Decimal('0.000001'), output_tokens: new Decimal('0.000004') },
  tiers: [{ minPromptTokens: 1000n, prices: { input_tokens: new Decimal('0.000003') } }],
};
const NO_IMAGES: PriceSheet = { prices: { input_tokens: new Decimal('0.000002'), output_tokens: new Decimal('0.000002') }, tiers: [] };
const period: BilledPeriodRow = {
  invoice_id: 'i',
  customer_id: 'c',
  external_customer_id: 'acme',
  period_start: new Date(0),
  period_key: '1970-01-01 00:00:00+00',
  billing_period_end: new Date(1),
  currency: 'USD',
  plan_version_id: 'v',
  discount: '0',
  total: '0',
  finalized_at: new Date(1),
  events: '0',
  provider_cost: '0',
  coupons: [],
};

const usage = (input: number, output: number, extra: Partial<Usage> = {}): Usage => ({
  ...emptyUsage(),
  input_tokens: BigInt(input),
  output_tokens: BigInt(output),
  ...extra,
});
const event = (u: Usage, card: string, model = 'm'): SimulatedEventRow => ({
  customer_id: 'c',
  period_start: '1970-01-01 00:00:00+00',
  occurred_at: '1970-01-01 00:00:00+00',
  provider: 'p',
  model,
  rate_card_id: card,
  reported_cost: null,
  tokens: USAGE_DIMENSIONS.map((d) => u[d].toString()),
});

function run(events: SimulatedEventRow[], scenario: Partial<ScenarioJson> = {}) {
  const engine = new SimulationEngine(
    parseScenario({ from: '1970-01-01T00:00:00Z', to: '1970-02-01T00:00:00Z', ...scenario }),
    'org',
    new Map([
      ['card', CARD],
      ['no-images', NO_IMAGES],
    ]),
    { lookup: () => ({ ok: false, reason: 'none' }) },
    [{ period, plan: { plan, price: compileEventPricer(plan) } }],
  );
  for (const e of events) engine.price(e);
  return engine.result().customers[0];
}

describe('SimulationEngine', () => {
  it('prices summed events as each alone: every event at its own tier', () => {
    const us = [usage(500, 10), usage(999, 1), usage(1000, 7), usage(20_000, 3), usage(1, 1)];
    const exact = us.reduce((s, u) => s.plus(providerCost(u, CARD).total), new Decimal(0));
    const r = run(us.map((u) => event(u, 'card')));
    expect(r.cost_simulated).toBe(exact.toFixed());
    expect(r.billed_simulated).toBe(exact.times('1.25').toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed());
    expect(r.events_unpriced).toBe(0);
  });

  it('keeps sums exact past 2^53 and counts too long for a float', () => {
    const us = [
      usage(4e15, 1),
      usage(4e15, 3),
      usage(3e15, 0),
      { ...emptyUsage(), input_tokens: 12_345_678_901_234_567n, output_tokens: 2n },
      usage(1, 9_007_199_254_740_991),
    ];
    const exact = us.reduce((s, u) => s.plus(providerCost(u, CARD).total), new Decimal(0));
    expect(run(us.map((u) => event(u, 'card'))).cost_simulated).toBe(exact.toFixed());
  });

  it('prices many mixed events summed as each alone', () => {
    let seed = 11;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const events = Array.from({ length: 2000 }, () => {
      const u = usage(random(3000), random(500), random(4) === 0 ? { images: BigInt(random(3)), requests: 1n } : { requests: 1n });
      return { u, card: random(3) === 0 ? 'no-images' : 'card' };
    });
    const exact = events.reduce((s, { u, card }) => s.plus(providerCost(u, card === 'card' ? CARD : NO_IMAGES).total), new Decimal(0));
    const r = run(events.map(({ u, card }) => event(u, card)));
    expect(r).toMatchObject({ events: 0, events_unpriced: 0, cost_simulated: exact.toFixed() });
  });

  it('prices rows Postgres summed as their events one by one', () => {
    const us = [usage(500, 10), usage(700, 0), usage(300, 20, { images: 1n }), usage(40, 0)];
    const card = (u: Usage[]): SummedEventsRow => ({
      customer_id: 'c',
      period_start: '1970-01-01 00:00:00+00',
      provider: 'p',
      model: 'm',
      rate_card_id: 'no-images',
      events: String(u.length),
      mask: USAGE_DIMENSIONS.reduce((m, d, i) => (u[0][d] !== 0n ? m | (1 << i) : m), 0),
      tokens: USAGE_DIMENSIONS.map((d) => u.reduce((s, x) => s + x[d], 0n).toString()),
    });
    const engine = new SimulationEngine(
      parseScenario({ from: '1970-01-01T00:00:00Z', to: '1970-02-01T00:00:00Z', usage_growth: '1.5' }),
      'org',
      new Map([['no-images', NO_IMAGES]]),
      { lookup: () => ({ ok: false, reason: 'none' }) },
      [{ period, plan: { plan, price: compileEventPricer(plan) } }],
    );
    // Rows as Postgres groups them: same non-zero dimensions together.
    expect(engine.priceSum(card([us[0]]))).toBe(true);
    expect(engine.priceSum(card([us[1], us[3]]))).toBe(true);
    expect(engine.priceSum({ ...card([us[2]]), customer_id: 'other' })).toBe(false);
    engine.price(event(us[2], 'no-images'));
    expect(engine.eventsDone).toBe(4n);
    const oneByOne = run(
      us.map((u) => event(u, 'no-images')),
      { usage_growth: '1.5' },
    );
    expect(engine.result().customers[0]).toEqual(oneByOne);
  });

  it('refuses exactly the events that used a dimension the card has no price for', () => {
    const r = run([event(usage(1000, 0), 'no-images'), event(usage(1000, 0, { images: 2n }), 'no-images')]);
    // images are a count priced at 0 without a price; reasoning has a fallback; a card without output would refuse.
    expect(r).toMatchObject({ events_unpriced: 0, cost_simulated: '0.004' });
    const missing: PriceSheet = { prices: { input_tokens: new Decimal('0.000002') }, tiers: [] };
    const engine = new SimulationEngine(
      parseScenario({ from: '1970-01-01T00:00:00Z', to: '1970-02-01T00:00:00Z' }),
      'org',
      new Map([['missing', missing]]),
      { lookup: () => ({ ok: false, reason: 'none' }) },
      [{ period, plan: { plan, price: compileEventPricer(plan) } }],
    );
    engine.price(event(usage(1000, 0), 'missing'));
    engine.price(event(usage(1000, 5), 'missing'));
    expect(engine.result().customers[0]).toMatchObject({ events_unpriced: 1, cost_simulated: '0.002' });
  });

  it('multiplies the matching model’s prices and scales usage by the growth factor', () => {
    const a = usage(500, 10);
    const b = usage(2000, 10);
    const r = run([event(a, 'card', 'big'), event(b, 'card', 'small')], {
      price_multipliers: [{ model: 'BIG', factor: '3' }],
      usage_growth: '2',
    });
    const expected = providerCost(a, CARD).total.times(3).plus(providerCost(b, CARD).total).times(2);
    expect(r.cost_simulated).toBe(new Decimal(expected).toFixed());
  });
});
