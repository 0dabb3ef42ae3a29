import { CreateCoupon } from '../coupons/create-coupon';
import type { PlanInput } from '@tollgate/pricing';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { invoiceJson } from './invoice-view';
import { ListInvoices } from './list-invoices';

// Golden periods worked out by hand from docs/design.md (steps 1–9), billed by the real billing cycle on a
// clock the test moves, asserted line by line to the cent. Prices (per million tokens): gold-o3 $2 in / $8 out,
// gold-mini $0.50 / $1.50. Plan "gold": premium (*o3*) markup 50%, floor 30%, no allowance; standard (*) markup
// 30%, floor 20%, allowance; included usage $15, base fee $20, minimum commitment $50. Customer discount 4%:
// premium 1.5 × 0.96 = 1.44 × cost stays above its floor (cost / 0.7 = 1.4286 × cost); standard
// 1.3 × 0.96 = 1.248 × cost falls below its floor (cost / 0.8 = 1.25 × cost), which binds.

let world: BillingWorld;

const GOLD: PlanInput = {
  code: 'gold',
  name: 'Gold',
  currency: 'USD',
  interval: 'month',
  base_fee: '20.00',
  included_usage: '15.00',
  minimum_commitment: '50.00',
  grace_period_hours: 0,
  requires_approval: false,
  charges: [
    { name: 'premium', models: ['*o3*'], mode: 'price', markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.3', margin_floor: '0.2', allowance_eligible: true },
  ],
};

async function invoiceOf(periodStart: string) {
  const { invoices } = await world
    .get(ListInvoices)
    .execute({ organizationId: world.organizationId, externalCustomerId: 'golden', after: null, limit: 100 });
  const found = invoices.find((i) => i.period_start.toISOString() === periodStart);
  if (!found) throw new Error(`no invoice for the period from ${periodStart}`);
  return invoiceJson(found, { costs: true });
}

const line = (type: string, charge: string | null, amount: string, extra: Record<string, unknown> = {}) =>
  expect.objectContaining({ type, charge, amount, ...extra });

beforeAll(async () => {
  world = await startBillingWorld('2026-09-01T00:00:00Z');
  await world.plan(GOLD);
  await world.customer('golden', { plan_code: 'gold', discount: '0.04' });
});

afterAll(async () => {
  await world?.close();
});

describe('golden periods', () => {
  it('September: the standard floor binds, the allowance is used up, the minimum commitment is topped up', async () => {
    // 2 × gold-mini (10M in, 3M out) = 2 × $9.50 = $19.00 cost; rated 24.70; discounted 23.712; floor 23.75 binds.
    await world.usage('golden', '2026-09-10T12:00:00Z', 'gold-mini', 10_000_000, 3_000_000, 2);
    await world.cycleAt('2026-10-01T00:00:01Z');

    const sep = await invoiceOf('2026-09-01T00:00:00.000Z');
    expect(sep).toMatchObject({
      status: 'finalized',
      number: 'TG-2026-000001',
      period_end: '2026-10-01T00:00:00.000Z',
      plan_code: 'gold',
      plan_version: 1,
    });
    expect(sep.lines).toEqual([
      line('usage', 'standard', '23.75', {
        provider_cost: '19',
        amount_precise: '23.75',
        floor_applied: true,
        events: 2,
        rated_amount: '24.7',
      }),
      line('allowance', null, '-15.00'),
      line('base_fee', null, '20.00'),
      // usage net of the allowance 8.75 < 50
      line('minimum_commitment', null, '41.25'),
    ]);
    expect(sep).toMatchObject({ subtotal: '70.00', credits_applied: '0.00', total: '70.00' });
  });

  it('October: both charges, one floor binding and one not, two coupons, late usage from September', async () => {
    await world.get(CreateCoupon).execute({
      organizationId: world.organizationId,
      externalId: 'golden',
      kind: 'fixed',
      value: '10.00',
      frequency: 'once',
      expiresAt: null,
    });
    await world.get(CreateCoupon).execute({
      organizationId: world.organizationId,
      externalId: 'golden',
      kind: 'percentage',
      value: '10',
      frequency: 'forever',
      expiresAt: null,
    });
    // premium: 3 × gold-o3 (2M in, 0.5M out) = 3 × $8 = $24 cost; rated 36; discounted 34.56 > floor 34.2857.
    await world.usage('golden', '2026-10-05T08:00:00Z', 'gold-o3', 2_000_000, 500_000, 3);
    // standard: 4 × gold-mini (10M, 3M) = $38 cost; rated 49.40; discounted 47.424; floor 47.50 binds.
    await world.usage('golden', '2026-10-20T08:00:00Z', 'gold-mini', 10_000_000, 3_000_000, 4);
    // Late: a September call (2M in, 1M out = $2.50) arrives after September was finalized. Rated 3.25,
    // discounted 3.12, floor 3.125 binds; 3.125 rounds half away from zero to 3.13.
    await world.usage('golden', '2026-09-28T23:00:00Z', 'gold-mini', 2_000_000, 1_000_000);
    await world.cycleAt('2026-11-01T00:00:01Z');

    const oct = await invoiceOf('2026-10-01T00:00:00.000Z');
    expect(oct).toMatchObject({ status: 'finalized', number: 'TG-2026-000002' });
    expect(oct.lines).toEqual([
      line('usage', 'premium', '34.56', {
        provider_cost: '24',
        amount_precise: '34.56',
        floor_applied: false,
        events: 3,
        rated_amount: '36',
      }),
      line('usage', 'standard', '47.50', {
        provider_cost: '38',
        amount_precise: '47.5',
        floor_applied: true,
        events: 4,
        rated_amount: '49.4',
      }),
      line('late_usage', 'standard', '3.13', {
        provider_cost: '2.5',
        amount_precise: '3.125',
        floor_applied: true,
        events: 1,
        period_start: '2026-09-01T00:00:00.000Z',
      }),
      // late usage does not take this period's allowance
      line('allowance', null, '-15.00'),
      line('base_fee', null, '20.00'),
      // usage lines net of the allowance: 34.56 + 47.50 − 15 = 67.06 ≥ 50: no top-up. Sum so far 90.19.
      line('coupon', null, '-10.00', { amount_precise: '-10' }),
      // 10% of 80.19
      line('coupon', null, '-8.02', { amount_precise: '-8.019' }),
    ]);
    expect(oct).toMatchObject({ subtotal: '72.17', total: '72.17' });
  });

  it('November: the allowance partly used, the once coupon used up, the minimum topped up again', async () => {
    // premium 1 × $8: rated 12, discounted 11.52 (floor 11.43 does not bind); standard 1 × $9.50: rated 12.35,
    // discounted 11.856, floor 11.875 binds, rounds to 11.88; the $15 allowance covers it (11.88 of 15 used).
    await world.usage('golden', '2026-11-03T10:00:00Z', 'gold-o3', 2_000_000, 500_000);
    await world.usage('golden', '2026-11-04T10:00:00Z', 'gold-mini', 10_000_000, 3_000_000);
    await world.cycleAt('2026-12-01T00:00:01Z');

    const nov = await invoiceOf('2026-11-01T00:00:00.000Z');
    expect(nov).toMatchObject({ status: 'finalized', number: 'TG-2026-000003' });
    expect(nov.lines).toEqual([
      line('usage', 'premium', '11.52', { floor_applied: false }),
      line('usage', 'standard', '11.88', { amount_precise: '11.875', floor_applied: true }),
      line('allowance', null, '-11.88'),
      line('base_fee', null, '20.00'),
      // 11.52 + 11.88 − 11.88 = 11.52 < 50
      line('minimum_commitment', null, '38.48'),
      // the fixed coupon was used by October's invoice; 10% of 70.00
      line('coupon', null, '-7.00'),
    ]);
    expect(nov).toMatchObject({ subtotal: '63.00', total: '63.00' });
  });
});
