import { startBillingWorld, goldEvent, type BillingWorld } from '../../test/billing-world';
import { IngestEvents } from '../events/ingest-events';
import { ChangePlan } from '../plans/change-plan';
import { FoldRollups } from './fold-rollups';

// Folding the analytics rollups (docs/design.md "Analytics"), on the real repositories and Postgres: a pricing
// write only records what it priced; a fold adds each write's events exactly once however many folds race; and a
// repricing reset that comes before any fold still leaves the rollups equal to the priced events.

let world: BillingWorld;
let round = 0;

const PLAN = {
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  charges: [
    { name: 'premium', models: ['gold-o3'], mode: 'price' as const, markup: '0.5', margin_floor: null, allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price' as const, markup: '0.25', margin_floor: null, allowance_eligible: true },
  ],
};
const CUSTOMERS = ['f-a', 'f-b', 'f-c'];

/** `batches` ingest calls of 6 events (every customer, both models, some in a task), priced as the worker would. */
async function ingestAndPrice(batches: number) {
  for (let b = 0; b < batches; b++) {
    round++;
    const events = CUSTOMERS.flatMap((c, i) =>
      (['gold-o3', 'gold-mini'] as const).map((model, m) => ({
        ...goldEvent(c, Date.parse('2026-11-20T10:00:00Z') + round * 60_000 + i * 1000 + m, model, 1000 * round + i, 100 * m + round),
        taskId: m === 0 ? `task-${c}-${round % 3}` : null,
        feature: m === 0 ? 'chat' : null,
      })),
    );
    await world.get(IngestEvents).execute({ organizationId: world.organizationId, events });
  }
  await world.priceAll();
}

/** The rollups' and the aggregates' totals, and the pending rows left. */
async function totals() {
  const [row] = await world.billing.probe.rows<Record<string, string>>(
    `SELECT (SELECT count(*) FROM rollup_pending)::text AS pending,
       (SELECT coalesce(sum(events), 0) FROM usage_aggregates)::text AS aggregate_events,
       (SELECT coalesce(sum(events), 0) FROM analytics_periods)::text AS period_events,
       (SELECT coalesce(sum(events), 0) FROM analytics_daily)::text AS daily_events,
       (SELECT coalesce(trim_scale(sum(provider_cost)), 0) FROM usage_aggregates)::text AS aggregate_cost,
       (SELECT coalesce(trim_scale(sum(provider_cost)), 0) FROM analytics_periods)::text AS period_cost,
       (SELECT coalesce(trim_scale(sum(rated_amount)), 0) FROM analytics_daily)::text AS daily_rated,
       (SELECT coalesce(trim_scale(sum(rated_amount)), 0) FROM usage_aggregates)::text AS aggregate_rated,
       (SELECT coalesce(sum(events), 0) FROM analytics_tasks)::text AS task_events,
       (SELECT count(*) FROM events WHERE task_id IS NOT NULL AND pricing_status = 'priced')::text AS priced_task_events`,
  );
  return row;
}

function expectFolded(t: Record<string, string>) {
  expect(t.pending).toBe('0');
  expect(Number(t.aggregate_events)).toBeGreaterThan(0);
  expect(t.period_events).toBe(t.aggregate_events);
  expect(t.daily_events).toBe(t.aggregate_events);
  expect(t.period_cost).toBe(t.aggregate_cost);
  expect(t.daily_rated).toBe(t.aggregate_rated);
  expect(t.task_events).toBe(t.priced_task_events);
}

beforeAll(async () => {
  world = await startBillingWorld('2026-11-25T00:00:00Z');
  await world.plan(PLAN);
  for (const c of CUSTOMERS) await world.customer(c, { plan_code: 'pro' });
});

afterAll(async () => {
  await world?.close();
});

it('leaves the rollups alone until a fold, which adds each pricing write once', async () => {
  await ingestAndPrice(3);
  const before = await totals();
  expect(Number(before.pending)).toBeGreaterThanOrEqual(1);
  expect(before.period_events).toBe('0'); // pricing wrote nothing to the rollups

  const first = await world.get(FoldRollups).some(1);
  expect(first.pending).toBe(1);
  expect(first.events).toBeGreaterThan(0);
  expect(Number((await totals()).period_events)).toBe(first.events);

  await world.get(FoldRollups).organization(world.organizationId);
  expectFolded(await totals());
  expect(await world.get(FoldRollups).some()).toEqual({ pending: 0, events: 0 });
  expectFolded(await totals());
});

it('counts every event once when many folds race', async () => {
  await ingestAndPrice(12);
  expect(Number((await totals()).pending)).toBeGreaterThanOrEqual(12);
  const fold = world.get(FoldRollups);
  const drain = async () => {
    while ((await fold.some(2)).pending > 0);
  };
  await Promise.all([drain(), drain(), drain(), fold.organization(world.organizationId), drain(), fold.organization(world.organizationId)]);
  expectFolded(await totals());
});

it('a repricing reset before any fold takes out only what was added, and repricing brings it back', async () => {
  await ingestAndPrice(2);
  expect(Number((await totals()).pending)).toBeGreaterThanOrEqual(1);
  // The same plan as a new version from November: every event of the period back to pending.
  await world
    .get(ChangePlan)
    .execute({ organizationId: world.organizationId, code: 'pro', plan: PLAN, effectiveFrom: new Date('2026-11-01T00:00:00Z') });
  const reset = await totals();
  expect(reset.pending).toBe('0'); // the reset folded them before taking its events out
  expect(reset.aggregate_events).toBe('0');
  expect(reset.period_events).toBe('0');
  expect(reset.task_events).toBe('0');

  await world.priceAll();
  await world.get(FoldRollups).organization(world.organizationId);
  expectFolded(await totals());
});
