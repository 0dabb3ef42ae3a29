import { startBillingWorld, type BillingWorld, type GoldModel } from '../../test/billing-world';
import { marginEvent, PRO, seedMarginWorld } from '../../test/margin-world';
import { ListInvoices } from '../invoices/list-invoices';
import { ChangePlan } from '../plans/change-plan';
import { CheckMarginTargets } from './check-margin-targets';
import { GetMarginCliff } from './get-margin-cliff';
import { FoldRollups } from './fold-rollups';
import { GetMarginReport } from './get-margin-report';

// The margin report on hand-worked figures (docs/design.md "Analytics"): gold-o3 costs $2 / $8 per million input /
// output tokens, gold-mini $0.50 / $1.50. Plan pro: premium (gold-o3) at +50%, not covered by the allowance;
// standard at +25%; $1.00 included, a $5.00 base fee. Customer a has a $2.00 coupon, b a 10% discount.
//
// a, November: 11-03 gold-o3 1M in + 100k out: cost 2.80, rated 4.20 (feature chat, task triage)
//              11-10 gold-mini 2M in + 1M out: cost 2.50, rated 3.125 (chat, triage)
//              11-20 gold-mini 1M in: cost 0.50, rated 0.625 (search)
//   invoice: premium 4.20, standard 3.75, allowance -1.00, base fee 5.00, coupon -2.00 = 9.95
//   attribution: the allowance takes standard to 2.75; the coupon splits 200 cents over 420 / 275 / 500:
//   70 / 46 / 84 (largest remainder) -> premium 3.50, standard 2.29, base fee 4.16; standard's 2.29 over the
//   two gold-mini days by rated amount (3.125 : 0.625): 1.91 and 0.38.
// b, November: 11-05 gold-mini 4M in: cost 2.00, rated 2.50, discounted 2.25; allowance -1.00; base fee 5.00 = 6.25.

let world: BillingWorld;

const event = (
  customer: string,
  at: string,
  model: GoldModel,
  input: number,
  output: number,
  feature: string | null,
  task: string | null,
) => marginEvent(world, customer, at, model, input, output, feature, task);

const report = (from: string, to: string, ...groupBy: Parameters<GetMarginReport['execute']>[0]['groupBy'][number][]) =>
  world.get(GetMarginReport).execute({ organizationId: world.organizationId, from: new Date(from), to: new Date(to), groupBy });

const figures = (r: Awaited<ReturnType<typeof report>>) =>
  r.groups.map((g) => ({
    key: Object.values(g.key).join('/'),
    events: g.events,
    cost: g.provider_cost,
    revenue: g.revenue,
    margin: g.margin,
    pct: g.margin_pct,
  }));

beforeAll(async () => {
  world = await startBillingWorld('2026-11-25T00:00:00Z');
  await seedMarginWorld(world);
});

afterAll(async () => {
  await world?.close();
});

describe('the rollups', () => {
  it('equal the priced events, and pricing a batch again adds nothing', async () => {
    const sums = async () => {
      await world.get(FoldRollups).organization(world.organizationId);
      return world.billing.probe.rows(
        `SELECT (SELECT sum(provider_cost)::text FROM analytics_daily) AS daily, (SELECT sum(provider_cost)::text FROM analytics_periods) AS periods,
                (SELECT sum(provider_cost)::text FROM usage_aggregates) AS aggregates, (SELECT sum(events)::text FROM analytics_daily) AS events`,
      );
    };
    expect(await sums()).toEqual([
      {
        daily: expect.stringMatching(/^7\.80*$/),
        periods: expect.stringMatching(/^7\.80*$/),
        aggregates: expect.stringMatching(/^7\.80*$/),
        events: '4',
      },
    ]);
    await world.billing.probe.rows('UPDATE ingest_batches SET priced_at = NULL');
    await world.priceAll();
    expect((await sums())[0].events).toBe('4');
  });

  it('follow a repricing reset, and come back when the events are priced again', async () => {
    const rated = async () => {
      await world.get(FoldRollups).organization(world.organizationId);
      return world.billing.probe.rows<{ r: string | null }>(`SELECT sum(rated_amount)::text AS r FROM analytics_periods`);
    };
    expect(Number((await rated())[0].r)).toBeCloseTo(4.2 + 3.125 + 0.625 + 2.5, 10);
    // The same plan as a new version from November: every event of the period is reset, then priced again.
    await world
      .get(ChangePlan)
      .execute({ organizationId: world.organizationId, code: 'pro', plan: PRO, effectiveFrom: new Date('2026-11-01T00:00:00Z') });
    expect(await rated()).toEqual([{ r: null }]);
    await world.priceAll();
    expect(Number((await rated())[0].r)).toBeCloseTo(4.2 + 3.125 + 0.625 + 2.5, 10);
  });
});

describe('the margin report', () => {
  beforeAll(async () => {
    await world.cycleAt('2026-12-01T00:00:05Z');
    const { invoices } = await world.get(ListInvoices).execute({ organizationId: world.organizationId, after: null, limit: 10 });
    expect(invoices.map((i) => [i.status, i.total.toFixed(2)]).sort()).toEqual([
      ['finalized', '6.25'],
      ['finalized', '9.95'],
    ]);
  });

  it('per customer adds up to the invoices', async () => {
    const r = await report('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'customer');
    expect(figures(r)).toEqual([
      { key: 'a', events: 3, cost: '5.8', revenue: '9.95', margin: '4.15', pct: '41.71' },
      { key: 'b', events: 1, cost: '2', revenue: '6.25', margin: '4.25', pct: '68.00' },
    ]);
    expect(r.totals).toMatchObject({ events: 4, provider_cost: '7.8', revenue: '16.2', margin: '8.4', margin_pct: '51.85' });
    expect(r.totals.tokens).toMatchObject({ input_tokens: 8_000_000, output_tokens: 1_100_000, requests: 4 });
  });

  it('per model: usage lines by rated amount, the base fee at the customer level', async () => {
    const r = await report('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'model');
    expect(figures(r)).toEqual([
      { key: 'gold-mini', events: 3, cost: '5', revenue: '3.54', margin: '-1.46', pct: '-41.24' },
      { key: 'gold-o3', events: 1, cost: '2.8', revenue: '3.5', margin: '0.7', pct: '20.00' },
      { key: '', events: 0, cost: '0', revenue: '9.16', margin: '9.16', pct: '100.00' },
    ]);
    expect(r.totals.revenue).toBe('16.2');
  });

  it('per customer and model, per day, per feature and task', async () => {
    const byCustomerModel = await report('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'customer', 'model');
    expect(byCustomerModel.groups.map((g) => [g.key.customer, g.key.model, g.revenue])).toEqual([
      ['a', 'gold-mini', '2.29'],
      ['a', 'gold-o3', '3.5'],
      ['a', null, '4.16'],
      ['b', 'gold-mini', '1.25'],
      ['b', null, '5'],
    ]);
    const byDay = await report('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'day');
    expect(byDay.groups.map((g) => [g.key.day, g.revenue])).toEqual([
      ['2026-11-03', '3.5'],
      ['2026-11-05', '1.25'],
      ['2026-11-10', '1.91'],
      ['2026-11-20', '0.38'],
      [null, '9.16'],
    ]);
    const byFeature = await report('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'feature', 'task');
    expect(byFeature.groups.map((g) => [g.key.feature, g.key.task, g.events, g.revenue])).toEqual([
      ['chat', 'triage', 2, '5.41'],
      ['search', null, 1, '0.38'],
      [null, null, 1, '10.41'],
    ]);
  });

  it('over part of the period: the days in it, the invoices of periods starting in it', async () => {
    const r = await report('2026-11-01T00:00:00Z', '2026-11-15T00:00:00Z', 'customer', 'model');
    expect(r.groups.map((g) => [g.key.customer, g.key.model, g.provider_cost, g.revenue])).toEqual([
      ['a', 'gold-mini', '2.5', '1.91'],
      ['a', 'gold-o3', '2.8', '3.5'],
      ['a', null, '0', '4.16'],
      ['b', 'gold-mini', '2', '1.25'],
      ['b', null, '0', '5'],
    ]);
    const later = await report('2026-11-15T00:00:00Z', '2026-12-01T00:00:00Z', 'customer');
    expect(later.groups.map((g) => [g.key.customer, g.provider_cost, g.revenue])).toEqual([['a', '0.5', '0.38']]);
  });

  it('refuses a range that is not whole UTC days', async () => {
    await expect(report('2026-11-01T10:00:00Z', '2026-12-01T00:00:00Z', 'customer')).rejects.toThrow(/from must be a UTC midnight/);
    await expect(report('2026-12-01T00:00:00Z', '2026-11-01T00:00:00Z', 'customer')).rejects.toThrow(/to must be after from/);
  });
});

describe('the margin cliff', () => {
  // December, 10 of its 31 days gone: c and d each used gold-o3 for 2.00 on the default plan (cost passed through: a
  // 0% margin), projected to 6.20 of cost and revenue by the period's end. d's November (gold-mini, 0.50, no invoice
  // yet: estimated as the invoice would bill it) was at 0% too. Target 30%: revenue needed cost / 0.7.
  beforeAll(async () => {
    world.clock.set('2026-12-11T00:00:00Z');
    await world.customer('c');
    await world.customer('d');
    await event('c', '2026-12-05T10:00:00Z', 'gold-o3', 1_000_000, 0, null, null);
    await event('d', '2026-11-20T10:00:00Z', 'gold-mini', 1_000_000, 0, null, null);
    await event('d', '2026-12-06T10:00:00Z', 'gold-o3', 1_000_000, 0, null, null);
    await world.priceAll();
  });

  it('lists customers below the target by money at risk, with drivers and the fix', async () => {
    const { target_margin, customers: data } = await world.get(GetMarginCliff).execute({ organizationId: world.organizationId });
    expect(target_margin).toBe('0.3');
    expect(data.map((e) => [e.external_customer_id, e.basis, e.provider_cost, e.revenue, e.margin_pct, e.money_at_risk])).toEqual([
      ['c', 'current', '6.2', '6.2', '0.00', '2.66'],
      ['d', 'current', '6.2', '6.2', '0.00', '2.66'],
      ['d', 'last', '0.5', '0.5', '0.00', '0.22'],
    ]);
    expect(data[0]).toMatchObject({ elapsed: '0.3226', fix: { revenue_needed: '8.86', margin_floor: '0.3', markup: '0.4286' } });
    // d moved from gold-mini to gold-o3: the model mix drove its cost.
    expect(data[1].drivers[0]).toEqual({ kind: 'model_mix', model: 'gold-o3', before: '0.0000', now: '1.0000', worsened: true });
    expect(data[0].drivers[0]).toEqual({ kind: 'model_mix', model: 'gold-o3', before: null, now: '1.0000', worsened: false });
  });

  it('publishes margin.below_target once per customer and period', async () => {
    const check = () => world.get(CheckMarginTargets).execute({ organizationIds: [world.organizationId] });
    expect(await check()).toEqual({ published: 3 });
    expect(await check()).toEqual({ published: 0 });
    const events = await world.billing.probe.rows<{ subject_key: string }>(
      `SELECT subject_key FROM webhook_events WHERE type = 'margin.below_target' ORDER BY subject_key`,
    );
    expect(events).toHaveLength(3);
  });

  it('follows the organisation’s target', async () => {
    await world.billing.probe.rows('UPDATE organizations SET target_margin = 0 WHERE id = $1', [world.organizationId]);
    const { customers: data } = await world.get(GetMarginCliff).execute({ organizationId: world.organizationId });
    expect(data).toEqual([]);
    await world.billing.probe.rows('UPDATE organizations SET target_margin = 0.3 WHERE id = $1', [world.organizationId]);
  });
});
