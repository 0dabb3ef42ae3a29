import type { AnalyticsDimension } from '@tollgate/db';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { marginEvent, seedMarginWorld } from '../../test/margin-world';
import { VoidInvoice } from '../invoices/void-invoice';
import { FoldRollups } from './fold-rollups';
import { MarginGroups } from './get-margin-report';
import { RefreshRevenueShares } from './refresh-revenue-shares';

// The margin report from stored revenue shares (docs/design.md "Analytics") against the same report attributed for
// the range, on margin-report.test.ts's world (one provider, so that no split can round differently): invoices are
// drafts for a day (grace period), then a late event, the next period's invoices, a void. Every change after a
// report must reach the next one through the triggers that mark invoices stale.

let world: BillingWorld;

const NOVEMBER = ['2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'] as const;
const TWO_MONTHS = ['2026-11-01T00:00:00Z', '2027-01-01T00:00:00Z'] as const;
const GROUPINGS: AnalyticsDimension[][] = [
  ['customer'],
  ['model'],
  ['customer', 'model'],
  ['charge'],
  ['provider'],
  ['charge', 'model'],
  ['model', 'customer'],
];

const margins = () => world.get(MarginGroups);
const fast = (range: readonly [string, string], groupBy: AnalyticsDimension[]) =>
  margins().groups(world.organizationId, new Date(range[0]), new Date(range[1]), groupBy);
async function dynamic(range: readonly [string, string], groupBy: AnalyticsDimension[]) {
  await world.get(FoldRollups).organization(world.organizationId);
  return margins().attributed(world.organizationId, new Date(range[0]), new Date(range[1]), groupBy);
}
const stale = async () => (await world.billing.probe.rows<{ n: number }>('SELECT count(*)::int AS n FROM revenue_shares_stale'))[0].n;

/** Every grouping: from the shares (they are refreshed: nothing is left stale) as attributed for the range. */
async function expectSameAsDynamic(range: readonly [string, string]) {
  for (const groupBy of GROUPINGS) {
    const stored = await fast(range, groupBy);
    expect(await stale()).toBe(0);
    expect({ groupBy, ...stored }).toEqual({ groupBy, ...(await dynamic(range, groupBy)) });
  }
}

/** The totals of the invoices that are not void, in thousandths. */
async function invoiceTotals(where = 'true'): Promise<bigint> {
  const rows = await world.billing.probe.rows<{ t: string }>(
    `SELECT (coalesce(sum(total), 0) * 1000)::int8::text AS t FROM invoices WHERE type = 'usage' AND status <> 'void' AND ${where}`,
  );
  return BigInt(rows[0].t);
}

const revenueOf = async (range: readonly [string, string], customer: string) =>
  (await fast(range, ['customer'])).groups.find((g) => g.keys[0] === customer)?.revenue;

beforeAll(async () => {
  world = await startBillingWorld('2026-11-25T00:00:00Z');
  await world.rate('gold-nano', { input_tokens: '0.0000005', output_tokens: '0.0000015' });
  await seedMarginWorld(world, { grace_period_hours: 24 });
  await world.cycleAt('2026-12-01T00:00:05Z');
});

afterAll(async () => {
  await world?.close();
});

it('gives the groups the attribution gives, adding up to the invoices', async () => {
  expect(await world.billing.probe.rows(`SELECT status, total::text FROM invoices ORDER BY total`)).toEqual([
    { status: 'draft', total: expect.stringMatching(/^6\.250*$/) },
    { status: 'draft', total: expect.stringMatching(/^9\.950*$/) },
  ]);
  await expectSameAsDynamic(NOVEMBER);
  const byCustomerModel = await fast(NOVEMBER, ['customer', 'model']);
  expect(byCustomerModel.groups.map((g) => [...g.keys, g.revenue])).toEqual([
    ['a', 'gold-mini', 2290n],
    ['a', 'gold-o3', 3500n],
    ['a', null, 4160n],
    ['b', 'gold-mini', 1250n],
    ['b', null, 5000n],
  ]);
  expect(byCustomerModel.totals.revenue).toBe(await invoiceTotals());
  expect(byCustomerModel.currencies).toEqual(['USD']);
  const rows = await world.billing.probe.rows<{ n: number }>('SELECT count(*)::int AS n FROM revenue_shares');
  expect(rows[0].n).toBeGreaterThan(0);
});

it('follows a draft computed again', async () => {
  const before = await revenueOf(NOVEMBER, 'b');
  await marginEvent(world, 'b', '2026-11-06T10:00:00Z', 'gold-mini', 2_000_000, 0);
  await world.priceAll();
  await world.cycleAt('2026-12-01T01:00:00Z');
  const after = await revenueOf(NOVEMBER, 'b');
  expect(after).not.toBe(before);
  expect(after).toBe(await invoiceTotals(`customer_id = (SELECT id FROM customers WHERE external_id = 'b')`));
  await expectSameAsDynamic(NOVEMBER);
});

it('follows newly folded usage of a finalized period (its lines split over the new cells)', async () => {
  await world.cycleAt('2026-12-02T01:00:00Z');
  expect((await world.billing.probe.rows<{ s: string }>(`SELECT DISTINCT status AS s FROM invoices`)).map((r) => r.s)).toEqual([
    'finalized',
  ]);
  const before = await fast(NOVEMBER, ['customer', 'model']);
  expect(before.groups.find((g) => g.keys[1] === 'gold-nano')).toBeUndefined();
  // Late usage of a's November in the standard charge: a's finalized standard line is now shared with gold-nano.
  await marginEvent(world, 'a', '2026-11-21T10:00:00Z', 'gold-nano', 1_000_000, 0);
  await world.priceAll();
  const after = await fast(NOVEMBER, ['customer', 'model']);
  expect(after.groups.find((g) => g.keys[0] === 'a' && g.keys[1] === 'gold-nano')?.revenue).toBeGreaterThan(0n);
  expect(after.totals.revenue).toBe(before.totals.revenue);
  await expectSameAsDynamic(NOVEMBER);
});

it('follows a late-usage line on the next invoice', async () => {
  const before = await revenueOf(NOVEMBER, 'a');
  await world.cycleAt('2027-01-01T00:00:05Z');
  const late = await world.billing.probe.rows<{ amount: string }>(`SELECT amount::text FROM invoice_lines WHERE type = 'late_usage'`);
  expect(late).toHaveLength(1);
  // November counts the late line (it bills November), not December's invoice's base fee.
  expect((await revenueOf(NOVEMBER, 'a'))! - before!).toBeGreaterThan(0n);
  await expectSameAsDynamic(NOVEMBER);
  await expectSameAsDynamic(TWO_MONTHS);
  expect((await fast(TWO_MONTHS, ['model'])).totals.revenue).toBe(await invoiceTotals());
});

it('takes the attribution for a range that cuts a period, and follows a void', async () => {
  const [{ id }] = await world.billing.probe.rows<{ id: string }>(
    `SELECT i.id::text FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'a' AND i.period_start = '2026-11-01'`,
  );
  await world.get(VoidInvoice).execute({ organizationId: world.organizationId, invoiceId: id, reason: 'test' });
  expect(await stale()).toBeGreaterThan(0);
  // Half of November: no stored shares are read (nor refreshed).
  const half = ['2026-11-01T00:00:00Z', '2026-11-15T00:00:00Z'] as const;
  const cut = await fast(half, ['customer', 'model']);
  expect(await stale()).toBeGreaterThan(0);
  expect(cut).toEqual(await dynamic(half, ['customer', 'model']));
  await expectSameAsDynamic(NOVEMBER);
  await expectSameAsDynamic(TWO_MONTHS);
  // a's November is now only the late-usage line its December invoice bills for it.
  const [{ amount }] = await world.billing.probe.rows<{ amount: string }>(
    `SELECT amount::text FROM invoice_lines WHERE type = 'late_usage'`,
  );
  expect(await revenueOf(NOVEMBER, 'a')).toBe(BigInt(Math.round(Number(amount) * 1000)));
  expect((await fast(TWO_MONTHS, ['customer'])).totals.revenue).toBe(await invoiceTotals());
});

it('a refresh taking a mark a change holds waits for the change and reads it', async () => {
  const [{ id }] = await world.billing.probe.rows<{ id: string }>(
    `SELECT i.id::text FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'b' AND i.period_start = '2026-11-01'`,
  );
  const before = (await revenueOf(NOVEMBER, 'b'))!;
  await world.billing.probe.rows('INSERT INTO revenue_shares_stale VALUES ($1, $2)', [id, world.organizationId]);
  const change = await world.billing.probe.pool.connect();
  try {
    await change.query('BEGIN');
    // The mark is there already: the change's trigger locks it until the change commits.
    await change.query(`UPDATE invoice_lines SET amount = amount + 1 WHERE invoice_id = $1 AND type = 'base_fee'`, [id]);
    let refreshed = false;
    const refresh = world
      .get(RefreshRevenueShares)
      .organization(world.organizationId)
      .then((n) => ((refreshed = true), n));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(refreshed).toBe(false);
    await change.query('COMMIT');
    expect(await refresh).toBe(1);
  } finally {
    change.release();
  }
  expect(await stale()).toBe(0);
  expect(await revenueOf(NOVEMBER, 'b')).toBe(before + 1000n);
});
