import { randomBytes } from 'node:crypto';
import { Decimal } from '@tollgate/money';
import { CreateCoupon } from '../coupons/create-coupon';
import { startBillingWorld, type BillingWorld, type GoldModel } from '../../test/billing-world';
import { GetCustomerUsage } from '../usage/get-customer-usage';
import { PreviewInvoice } from '../usage/preview-invoice';
import { invoiceJson } from './invoice-view';
import { ListInvoices } from './list-invoices';

// One computation: for a randomized period (random calls on both charges, a random discount, coupons, late
// usage from a finalized period), the preview just before the period ends, live usage and the invoice the
// billing cycle then stores agree exactly. The seed is printed when it fails.

let world: BillingWorld;

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.TOLLGATE_TEST_SEED ?? randomBytes(4).readUInt32BE(0));

beforeAll(async () => {
  world = await startBillingWorld('2026-07-01T00:00:00Z');
  await world.plan({
    code: 'mixed',
    name: 'Mixed',
    currency: 'USD',
    base_fee: '5.00',
    included_usage: '3.00',
    minimum_commitment: '12.00',
    charges: [
      { name: 'premium', models: ['*o3*'], mode: 'price', markup: '0.37', margin_floor: '0.3', allowance_eligible: false },
      {
        name: 'standard',
        models: ['*'],
        mode: 'token',
        token_prices: { input_tokens: '0.61', output_tokens: '1.9' },
        margin_floor: '0.15',
      },
    ],
  });
});

afterAll(async () => {
  await world?.close();
});

it(`agrees between the preview, live usage and the stored invoice (seed ${SEED})`, async () => {
  const rnd = random(SEED);
  const int = (max: number) => Math.floor(rnd() * max);
  const discount = (int(30) / 100).toFixed(2);
  await world.customer('random', { plan_code: 'mixed', discount });
  const call = (at: number) =>
    world.usage('random', new Date(at), (rnd() < 0.4 ? 'gold-o3' : 'gold-mini') as GoldModel, 1 + int(3_000_000), int(400_000));

  // July, finalized; then August with a late July call, coupons, and calls all through the month.
  for (let i = 0; i < 15; i++) await call(Date.UTC(2026, 6, 1) + int(30 * 86_400_000));
  await world.cycleAt('2026-08-01T00:00:00Z');
  await world.get(CreateCoupon).execute({
    organizationId: world.organizationId,
    externalId: 'random',
    kind: 'fixed',
    value: (1 + int(300) / 100).toFixed(2),
    frequency: 'once',
    expiresAt: null,
  });
  await world.get(CreateCoupon).execute({
    organizationId: world.organizationId,
    externalId: 'random',
    kind: 'percentage',
    value: String(1 + int(20)),
    frequency: 'forever',
    expiresAt: null,
  });
  for (let i = 0; i < 40; i++) await call(Date.UTC(2026, 7, 1) + int(31 * 86_400_000 - 1000));
  await call(Date.UTC(2026, 6, 1) + int(30 * 86_400_000));

  world.clock.set('2026-08-31T23:59:59Z');
  const preview = invoiceJson(await world.get(PreviewInvoice).execute({ organizationId: world.organizationId, externalId: 'random' }), {
    costs: true,
  });
  const live = await world.get(GetCustomerUsage).execute({ organizationId: world.organizationId, externalId: 'random', groupBy: 'charge' });
  await world.cycleAt('2026-09-01T00:00:00Z');
  const { invoices } = await world
    .get(ListInvoices)
    .execute({ organizationId: world.organizationId, externalCustomerId: 'random', after: null, limit: 10 });
  const august = invoiceJson(
    invoices.find((i) => i.period_start.toISOString() === '2026-08-01T00:00:00.000Z')!,
    { costs: true },
  );

  expect(august.status).toBe('finalized');
  const same = ({
    type,
    description,
    charge,
    provider_cost,
    amount,
    amount_precise,
    floor_applied,
    events,
    rated_amount,
    tokens,
    period_start,
    coupon_id,
  }: Record<string, unknown>) => ({
    type,
    description,
    charge,
    provider_cost,
    amount,
    amount_precise,
    floor_applied,
    events,
    rated_amount,
    tokens,
    period_start,
    coupon_id,
  });
  expect(august.lines.map(same)).toEqual(preview.lines.map(same));
  expect([august.subtotal, august.credits_applied, august.total]).toEqual([preview.subtotal, preview.credits_applied, preview.total]);
  expect(august.lines.some((l) => l.type === 'late_usage')).toBe(true);

  // Live usage (the period's priced events, grouped by charge) sums to the invoice's usage lines.
  const usage = august.lines.filter((l) => l.type === 'usage');
  expect(usage.map((l) => [l.charge, l.events, l.provider_cost, l.rated_amount])).toEqual(
    live.groups
      .map((g) => [g.key, g.events, g.provider_cost, g.rated_amount])
      .sort((a, b) => (a[0] === 'premium' ? -1 : b[0] === 'premium' ? 1 : 0)),
  );
  const sum = (xs: string[]) => xs.reduce((s, x) => s.plus(x), new Decimal(0)).toFixed();
  expect(sum(usage.map((l) => l.rated_amount!))).toBe(live.totals.rated_amount);
  expect(sum(usage.map((l) => l.provider_cost!))).toBe(live.totals.provider_cost);
});
