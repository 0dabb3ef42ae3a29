import { Decimal } from '@tollgate/money';
import { compileEventPricer, computeInvoice, providerCost, USAGE_DIMENSIONS, validatePlan, type Usage } from '@tollgate/pricing';
import { fromApiPrice } from '@tollgate/rates';
import { Event } from '../events/event.schema';
import { CreatePlanRequest } from '../plans/plan.schema';
import { CardPrices } from '../rates/rate.schema';
import { MARGIN_FLOOR, MARKUP, MAX_USAGE_COUNT, PRICE, REPORTED_COST } from './limits';

// The bounds of limits.ts are what keeps every stored amount inside numeric(65,30): here the largest input
// each schema accepts goes through the pricing code itself, and what it forms must fit, with room to sum.

const NUMERIC_LIMIT = new Decimal(10).pow(35); // numeric(65,30): 35 digits before the point
const PER_EVENT_LIMIT = new Decimal(10).pow(23); // so 10^12 events of a customer's period still sum below 10^35
const MAX_PRICE = PRICE.max!;
const MAX_REPORTED_COST = '9'.repeat(REPORTED_COST.integerDigits) + '.' + '9'.repeat(REPORTED_COST.fractionDigits);

const usage = Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, BigInt(MAX_USAGE_COUNT)])) as Usage;
const cardPrices = CardPrices.parse(Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, MAX_PRICE])));
const sheet = {
  prices: Object.fromEntries(Object.entries(cardPrices).map(([d, p]) => [d, new Decimal(fromApiPrice(d as never, p as string))])),
  tiers: [],
};

const planInput = CreatePlanRequest.parse({
  code: 'edge',
  name: 'Edge',
  currency: 'USD',
  charges: [
    {
      name: 'tokens',
      models: ['tok*'],
      mode: 'token',
      token_prices: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, MAX_PRICE])),
      margin_floor: MARGIN_FLOOR.max,
    },
    { name: 'price', models: ['*'], mode: 'price', markup: MARKUP.max, margin_floor: MARGIN_FLOOR.max },
  ],
});
const checked = validatePlan(planInput);
if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
const plan = checked.plan;
const reportedPlan = { ...plan, cost_source: 'reported' as const };

describe('the bounds on prices, markups, floors and counts', () => {
  it('are accepted at their maximum by the schemas (so this is the worst case)', () => {
    expect(
      Event.safeParse({ transaction_id: 't', external_customer_id: 'c', provider: 'p', model: 'm', usage: {}, cost: MAX_REPORTED_COST })
        .success,
    ).toBe(true);
    expect(plan.charges.map((c) => c.margin_floor?.toFixed())).toEqual([MARGIN_FLOOR.max, MARGIN_FLOOR.max]);
    expect(plan.charges[1].markup.toFixed()).toBe(MARKUP.max);
  });

  it('keep the cost and rated amount of one event below 10^23', () => {
    const rateCardCost = providerCost(usage, sheet).total;
    expect(rateCardCost.lt(new Decimal(10).pow(19))).toBe(true);
    for (const [model, p, reported] of [
      ['gpt-4o', plan, null],
      ['tok-1', plan, null],
      ['gpt-4o', reportedPlan, new Decimal(MAX_REPORTED_COST)],
    ] as const) {
      const priced = compileEventPricer(p)({ model, usage, rateCardCost, reportedCost: reported });
      if (priced.status !== 'priced') throw new Error('not priced');
      expect(priced.provider_cost.lt(PER_EVENT_LIMIT)).toBe(true);
      expect(priced.rated_amount.lt(PER_EVENT_LIMIT)).toBe(true);
    }
  });

  it('keep a period of 10^12 such events, and its invoice with the margin floor, inside numeric(65,30)', () => {
    const events = 10n ** 12n;
    const cost = providerCost(usage, sheet).total;
    const priced = compileEventPricer(plan)({ model: 'gpt-4o', usage, rateCardCost: cost, reportedCost: null });
    if (priced.status !== 'priced') throw new Error('not priced');
    const n = new Decimal(events.toString());
    const aggregate = {
      charge: 'price',
      events,
      provider_cost: priced.provider_cost.times(n),
      rated_amount: priced.rated_amount.times(n),
      tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, BigInt(MAX_USAGE_COUNT) * events])) as Usage,
    };
    expect(aggregate.rated_amount.lt(NUMERIC_LIMIT)).toBe(true);
    const invoice = computeInvoice({
      plan,
      usage: [aggregate],
      late_usage: [],
      discount: new Decimal(0),
      coupons: [],
      grants: [],
      as_of: new Date(),
    });
    for (const line of invoice.lines) expect(line.amount_precise.abs().lt(NUMERIC_LIMIT)).toBe(true);
    expect(invoice.total.abs().lt(NUMERIC_LIMIT)).toBe(true);
  });
});
