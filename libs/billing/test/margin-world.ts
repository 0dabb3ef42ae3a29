import { CreateCoupon } from '../src/coupons/create-coupon';
import { IngestEvents } from '../src/events/ingest-events';
import { goldEvent, type BillingWorld, type GoldModel } from './billing-world';

// The margin report's hand-worked world (libs/billing/src/analytics/margin-report.test.ts has the figures): plan pro,
// customers a (a $2.00 coupon) and b (a 10% discount), and their November usage.

export const PRO = {
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  base_fee: '5.00',
  included_usage: '1.00',
  charges: [
    { name: 'premium', models: ['gold-o3'], mode: 'price' as const, markup: '0.5', margin_floor: null, allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price' as const, markup: '0.25', margin_floor: null, allowance_eligible: true },
  ],
};

/** One event of `customer` at `at` (feature and task kind optional), ingested (not priced yet). Any model the card prices. */
export async function marginEvent(
  world: BillingWorld,
  customer: string,
  at: string,
  model: GoldModel | (string & {}),
  input: number,
  output: number,
  feature: string | null = null,
  task: string | null = null,
) {
  const e = { ...goldEvent(customer, Date.parse(at), 'gold-mini', input, output), model, feature, taskId: task ? `${task}-${at}` : null };
  await world.get(IngestEvents).execute({
    organizationId: world.organizationId,
    events: [{ ...e, metadata: task ? { task_name: task } : null }],
  });
}

/** Plan pro (with `plan`'s changes), customers a and b, a's coupon, their November usage, priced. */
export async function seedMarginWorld(world: BillingWorld, plan: Partial<typeof PRO> & { grace_period_hours?: number } = {}) {
  await world.plan({ ...PRO, ...plan });
  await world.customer('a', { plan_code: 'pro' });
  await world.customer('b', { plan_code: 'pro', discount: '0.10' });
  await world.get(CreateCoupon).execute({
    organizationId: world.organizationId,
    externalId: 'a',
    kind: 'fixed',
    value: '2.00',
    frequency: 'once',
    expiresAt: null,
  });
  await marginEvent(world, 'a', '2026-11-03T10:00:00Z', 'gold-o3', 1_000_000, 100_000, 'chat', 'triage');
  await marginEvent(world, 'a', '2026-11-10T10:00:00Z', 'gold-mini', 2_000_000, 1_000_000, 'chat', 'triage');
  await marginEvent(world, 'a', '2026-11-20T10:00:00Z', 'gold-mini', 1_000_000, 0, 'search', null);
  await marginEvent(world, 'b', '2026-11-05T10:00:00Z', 'gold-mini', 4_000_000, 0, null, null);
  await world.priceAll();
}
