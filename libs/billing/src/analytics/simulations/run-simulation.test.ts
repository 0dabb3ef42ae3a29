import { randomUUID } from 'node:crypto';
import { SimulationsRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import type { PlanInput } from '@tollgate/pricing';
import { startBillingWorld, type BillingWorld } from '../../../test/billing-world';
import { CreateCoupon } from '../../coupons/create-coupon';
import { AddRateOverride } from '../../rates/add-rate-override';
import { InvalidCommandError } from '../../errors';
import { ListInvoices } from '../../invoices/list-invoices';
import { CreateSimulation } from './create-simulation';
import { GetSimulation } from './get-simulation';
import { ListSimulations } from './list-simulations';
import { RunSimulation } from './run-simulation';
import type { ScenarioJson } from './scenario';
import type { CustomerSimulationJson, SimulationResultJson } from './simulation-engine';

// Stress tests on periods billed by the real billing cycle, every figure worked out by hand. Prices per million
// tokens (billing-world): gold-o3 $2 in / $8 out, gold-mini $0.50 / $1.50.
//   flat: one charge, markup 30%, nothing else.
//   alpha (flat), September: 4 × gold-o3 (1M in, 100k out) = 4 × 2.80 = 11.20; 3 × gold-mini (2M in, 500k out)
//     = 3 × 1.75 = 5.25; cost 16.45, rated 21.385, billed 21.39. October: 1 × gold-mini (2M in, 500k out):
//     cost 1.75, rated 2.275, billed 2.28 (half away from zero).
//   mini (flat), September: 3 × gold-mini (1,234,567 in, 345,678 out) = 3 × 1.1358005 = 3.4074015; rated
//     4.42962195, billed 4.43.
//   golden (gold: floors, allowance, base fee, minimum, discount 4%, a 10% coupon): only compared with its invoice.

let world: BillingWorld;

const FLAT: PlanInput = { code: 'flat', name: 'Flat', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '0.3' }] };
const GOLD: PlanInput = {
  code: 'gold',
  name: 'Gold',
  currency: 'USD',
  base_fee: '20.00',
  included_usage: '15.00',
  minimum_commitment: '50.00',
  charges: [
    { name: 'premium', models: ['*o3*'], markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
    { name: 'standard', models: ['*'], markup: '0.3', margin_floor: '0.2' },
  ],
};

const SEP = '2026-09-01T00:00:00.000Z';
const NOV = '2026-11-01T00:00:00.000Z';

async function simulate(scenario: Partial<ScenarioJson> = {}): Promise<SimulationResultJson> {
  const { simulation } = await world
    .get(CreateSimulation)
    .execute({ organizationId: world.organizationId, scenario: { from: SEP, to: NOV, ...scenario } });
  expect(simulation).toMatchObject({ status: 'succeeded', error: null });
  return simulation.result!;
}

const customer = (r: SimulationResultJson, id: string): CustomerSimulationJson => {
  const found = r.customers.find((c) => c.external_customer_id === id);
  if (!found) throw new Error(`no result for ${id}`);
  return found;
};

beforeAll(async () => {
  world = await startBillingWorld('2026-09-01T00:00:00Z');
  await world.plan(FLAT);
  await world.plan(GOLD);
  await world.customer('alpha', { plan_code: 'flat' });
  await world.customer('mini', { plan_code: 'flat' });
  await world.customer('golden', { plan_code: 'gold', discount: '0.04' });
  await world.get(CreateCoupon).execute({
    organizationId: world.organizationId,
    externalId: 'golden',
    kind: 'percentage',
    value: '10',
    frequency: 'forever',
    expiresAt: null,
  });

  for (const at of ['2026-09-03T10:00:00Z', '2026-09-05T10:00:00Z', '2026-09-07T10:00:00Z', '2026-09-09T10:00:00Z'])
    await world.usage('alpha', at, 'gold-o3', 1_000_000, 100_000);
  await world.usage('alpha', '2026-09-12T10:00:00Z', 'gold-mini', 2_000_000, 500_000, 3);
  await world.usage('mini', '2026-09-12T10:00:00Z', 'gold-mini', 1_234_567, 345_678, 3);
  await world.usage('golden', '2026-09-10T12:00:00Z', 'gold-mini', 10_000_000, 3_000_000, 2);
  await world.usage('golden', '2026-09-11T12:00:00Z', 'gold-o3', 2_000_000, 500_000, 3);
  // Told apart by their tokens: which of golden's gold-o3 events a routing shift picks (see its test).
  for (const [day, input] of [
    [13, 1],
    [14, 2],
    [15, 3],
    [16, 4],
    [17, 5],
  ])
    await world.usage('golden', `2026-09-${day}T12:00:00Z`, 'gold-o3', input * 1_000_000, 0);
  await world.cycleAt('2026-10-01T00:00:01Z');
  await world.usage('alpha', '2026-10-04T10:00:00Z', 'gold-mini', 2_000_000, 500_000);
  await world.usage('golden', '2026-10-10T12:00:00Z', 'gold-mini', 3_333_333, 777_777, 3);
  await world.cycleAt('2026-11-01T00:00:01Z');
  // November's usage has no invoice yet: outside any billed period.
  await world.usage('alpha', '2026-11-04T10:00:00Z', 'gold-o3', 5_000_000, 5_000_000);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe('stress test on billed periods', () => {
  it('with no change bills exactly what the finalized invoices billed, per customer, and costs what the events cost', async () => {
    const r = await simulate();
    const { invoices } = await world.get(ListInvoices).execute({ organizationId: world.organizationId, after: null, limit: 100 });
    expect(invoices.filter((i) => i.status === 'finalized')).toHaveLength(5);
    for (const id of ['alpha', 'mini', 'golden']) {
      const billed = invoices
        .filter((i) => i.external_customer_id === id && i.status === 'finalized')
        .reduce((s, i) => s.plus(i.total), invoices[0].total.minus(invoices[0].total));
      const c = customer(r, id);
      expect(c.billed_simulated).toBe(billed.toFixed());
      expect(c.billed_then).toBe(billed.toFixed());
      expect(c.cost_simulated).toBe(c.cost_then);
      expect(c.margin_simulated).toBe(c.margin_then);
    }
    expect(customer(r, 'alpha')).toMatchObject({ periods: 2, events: 8, billed_then: '23.67', cost_then: '18.2', margin_then: '5.47' });
    expect(customer(r, 'mini')).toMatchObject({ periods: 1, events: 3, billed_then: '4.43', cost_then: '3.4074015' });
    expect(customer(r, 'golden').billed_then).not.toBe('0');
    expect(r.totals).toEqual([expect.objectContaining({ currency: 'USD', customers: 3, periods: 5, events: 24, events_unpriced: 0 })]);
  });

  it('doubling a model’s price doubles its cost exactly, and bills it through the plan', async () => {
    const r = await simulate({ external_customer_ids: ['alpha', 'mini'], price_multipliers: [{ model: 'GOLD-MINI', factor: '2' }] });
    expect(r.customers.map((c) => c.external_customer_id).sort()).toEqual(['alpha', 'mini']);
    expect(customer(r, 'mini')).toMatchObject({ cost_then: '3.4074015', cost_simulated: '6.814803', billed_simulated: '8.86' });
    // alpha: o3 11.20 unchanged, mini 5.25 → 10.50 (September), 1.75 → 3.50 (October): 25.2; billed 28.21 + 4.55.
    expect(customer(r, 'alpha')).toMatchObject({ cost_simulated: '25.2', billed_simulated: '32.76', margin_simulated: '7.56' });
  });

  it('a routing shift prices the moved events at the other model’s card, with the same tokens', async () => {
    const all = await simulate({
      external_customer_ids: ['alpha'],
      routing_shifts: [{ from_model: 'gold-o3', to_provider: 'test', to_model: 'gold-mini', share: '1' }],
    });
    // September: 4 × (1M in, 100k out) at mini = 4 × 0.65 = 2.60, + 5.25 = 7.85, billed 10.21; October unchanged.
    expect(customer(all, 'alpha')).toMatchObject({ cost_simulated: '9.6', billed_simulated: '12.49', events_unpriced: 0 });

    const half = await simulate({
      external_customer_ids: ['alpha'],
      routing_shifts: [{ from_model: 'gold-o3', to_provider: 'test', to_model: 'gold-mini', share: '0.5' }],
    });
    // Exactly 2 of the 4: 2 × 2.80 + 2 × 0.65 + 5.25 = 12.15, billed 15.80; + October's 1.75 and 2.28.
    expect(customer(half, 'alpha')).toMatchObject({ cost_simulated: '13.9', billed_simulated: '18.08' });
  });

  it('a routing shift moves the events it picks in insertion order per customer, whichever way they are summed', async () => {
    // golden's gold-o3 events in insertion order: 3 × (2M in, 500k out), then 1M, 2M, 3M, 4M, 5M in. A share of 0.4
    // moves the n-th (from 0) when ⌊(n+1)·0.4⌋ > ⌊n·0.4⌋: n = 2, 4, 7, i.e. one (2M, 500k) (8.00 at o3, 1.75 at
    // mini), the 2M (4.00, 1.00) and the 5M (10.00, 2.50): 16.75 less cost. The names match case-insensitively.
    const r = await simulate({
      external_customer_ids: ['golden'],
      routing_shifts: [{ from_model: 'GOLD-O3', to_provider: 'test', to_model: 'gold-mini', share: '0.4' }],
    });
    const c = customer(r, 'golden');
    expect(c.events_unpriced).toBe(0);
    expect(new Decimal(c.cost_then).minus(c.cost_simulated).toFixed()).toBe('16.75');
  });

  it('moved events whose target card has tiers are priced one by one, each at its tier', async () => {
    // gold-mini's prices, and from 2,500,001 prompt tokens $1 / $3 per million.
    await world.get(AddRateOverride).execute({
      organizationId: world.organizationId,
      provider: 'test',
      model: 'tiered-mini',
      prices: { input_tokens: '0.0000005', output_tokens: '0.0000015' },
      tiers: [{ min_prompt_tokens: 2_500_001, prices: { input_tokens: '0.000001', output_tokens: '0.000003' } }],
      effectiveFrom: new Date('2026-01-01T00:00:00Z'),
    });
    // The same picks as above: (2M, 500k) 8.00 -> 1.75, 2M 4.00 -> 1.00, 5M 10.00 -> 5.00 (its tier): 14.25 less.
    const r = await simulate({
      external_customer_ids: ['golden'],
      routing_shifts: [{ from_model: 'gold-o3', to_provider: 'test', to_model: 'tiered-mini', share: '0.4' }],
    });
    const c = customer(r, 'golden');
    expect(c.events_unpriced).toBe(0);
    expect(new Decimal(c.cost_then).minus(c.cost_simulated).toFixed()).toBe('14.25');
  });

  it('a shift named outside printable ASCII is picked by the engine, event by event (here it matches nothing)', async () => {
    const none = await simulate({ external_customer_ids: ['golden'] });
    const r = await simulate({
      external_customer_ids: ['golden'],
      routing_shifts: [{ from_model: 'gold-ö3', to_provider: 'test', to_model: 'gold-mini', share: '1' }],
    });
    expect(r).toEqual(none);
  });

  it('a routing target without a rate card leaves the moved events unpriced, counted', async () => {
    const r = await simulate({
      external_customer_ids: ['alpha'],
      routing_shifts: [{ from_model: 'gold-o3', to_provider: 'test', to_model: 'no-such-model', share: '1' }],
    });
    expect(customer(r, 'alpha')).toMatchObject({ events_unpriced: 4, cost_simulated: '7' });
  });

  it('a usage growth factor scales cost and rated usage before the invoice steps', async () => {
    const r = await simulate({ external_customer_ids: ['alpha'], usage_growth: '1.5' });
    // 16.45 × 1.5 = 24.675 (rated 32.0775 → 32.08); 1.75 × 1.5 = 2.625 (rated 3.4125 → 3.41).
    expect(customer(r, 'alpha')).toMatchObject({ cost_simulated: '27.3', billed_simulated: '35.49' });
  });

  it('plan changes and a proposed plan bill the periods on the changed plan', async () => {
    const markup = await simulate({ external_customer_ids: ['alpha'], plan_changes: { markup: '1' } });
    expect(customer(markup, 'alpha')).toMatchObject({
      billed_simulated: '36.4',
      cost_simulated: '18.2',
      margin_percent_simulated: '50.00',
    });

    const proposed = await simulate({
      external_customer_ids: ['alpha'],
      plan: { ...FLAT, code: 'proposed', base_fee: '10.00', charges: [{ name: 'all', models: ['*'], markup: '0' }] },
      plan_changes: { discount: '0.5' },
    });
    // At cost, halved, plus 10.00 a period: 8.225 → 8.23 (half away from zero) + 10; 0.875 → 0.88 + 10.
    expect(customer(proposed, 'alpha')).toMatchObject({ billed_simulated: '29.11' });
  });

  it('refuses a scenario the plans cannot bill, keeping nothing', async () => {
    const before = await world.get(ListSimulations).execute({ organizationId: world.organizationId, after: null, limit: 1000 });
    await expect(
      world.get(CreateSimulation).execute({
        organizationId: world.organizationId,
        scenario: { from: SEP, to: NOV, plan_changes: { included_usage: '1.001' } },
      }),
    ).rejects.toThrow(InvalidCommandError);
    await expect(
      world.get(CreateSimulation).execute({
        organizationId: world.organizationId,
        scenario: { from: SEP, to: NOV, plan: { ...FLAT, currency: 'EUR' } },
      }),
    ).rejects.toThrow(/bill the same currency/);
    const after = await world.get(ListSimulations).execute({ organizationId: world.organizationId, after: null, limit: 1000 });
    expect(after.simulations).toHaveLength(before.simulations.length);
  });

  it('a queued simulation is run once: a second run finds nothing to do, and a run whose lease lapsed is taken over', async () => {
    const repo = world.get(SimulationsRepository);
    const run = world.get(RunSimulation);
    const scenario = { from: SEP, to: NOV, external_customer_ids: ['mini'] };
    const queued = await repo.create({
      id: randomUUID(),
      organizationId: world.organizationId,
      scenario,
      from: new Date(SEP),
      to: new Date(NOV),
      eventsTotal: 3n,
      leaseToken: null,
      leaseMs: 0,
    });
    const [a, b] = await Promise.all([run.execute({ simulationId: queued.id }), run.execute({ simulationId: queued.id })]);
    expect([a.outcome, b.outcome].sort()).toEqual(['not_claimed', 'succeeded']);
    const done = await world.get(GetSimulation).execute({ organizationId: world.organizationId, simulationId: queued.id });
    expect(done).toMatchObject({ status: 'succeeded', progress: { events_total: 3, events_done: 3 } });
    expect(done.result!.customers[0]).toMatchObject({ external_customer_id: 'mini', billed_simulated: '4.43' });

    // A run that died: running, its lease lapsed. Another run takes it over; the dead one can no longer write.
    const deadToken = randomUUID();
    const dead = await repo.create({
      id: randomUUID(),
      organizationId: world.organizationId,
      scenario,
      from: new Date(SEP),
      to: new Date(NOV),
      eventsTotal: 3n,
      leaseToken: deadToken,
      leaseMs: -1000,
    });
    expect((await run.execute({ simulationId: dead.id })).outcome).toBe('succeeded');
    expect(await repo.progress(dead.id, deadToken, 1n, 60_000)).toBe(false);
    expect(await repo.finish(dead.id, deadToken, { status: 'failed', error: 'late' })).toBeNull();
    const kept = await world.get(GetSimulation).execute({ organizationId: world.organizationId, simulationId: dead.id });
    expect(kept).toMatchObject({ status: 'succeeded', error: null });
  });

  it('lists simulations newest first, a page at a time, and answers not found for another id', async () => {
    const first = await world.get(ListSimulations).execute({ organizationId: world.organizationId, after: null, limit: 2 });
    expect(first.simulations).toHaveLength(2);
    expect(first.simulations[0]).not.toHaveProperty('result');
    const second = await world.get(ListSimulations).execute({ organizationId: world.organizationId, after: first.nextAfter, limit: 2 });
    expect(second.simulations[0].id).not.toBe(first.simulations[1].id);
    expect(second.simulations[0].created_at <= first.simulations[1].created_at).toBe(true);
    await expect(world.get(GetSimulation).execute({ organizationId: world.organizationId, simulationId: 'not-a-uuid' })).rejects.toThrow(
      /no simulation/,
    );
    await expect(world.get(GetSimulation).execute({ organizationId: world.organizationId, simulationId: randomUUID() })).rejects.toThrow(
      /no simulation/,
    );
  });
});
