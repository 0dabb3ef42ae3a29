import { CreditsRepository } from '@tollgate/db';
import { waitFor } from '@tollgate/testing';
import { startBillingWorld, goldEvent, type BillingWorld } from '../../test/billing-world';
import { IngestEvents } from '../events/ingest-events';
import { PriceBatch } from '../pricing/price-batch';
import { CheckEntitlement } from '../usage/check-entitlement';
import { RefreshEntitlements } from './refresh-entitlements';
import { RefreshStaleEntitlements } from './refresh-stale-entitlements';

// The entitlement refresh out of the pricing job (docs/design.md "Credits", "The entitlement cache"): pricing marks
// the batch's wallet customers stale, a refresher's round computes them; a customer marked again while its refresh
// runs is refreshed again; refreshers at once take disjoint customers; a dead refresher's claim is taken again.
// gold-mini on `instant`: $1.00 per million input tokens.

let world: BillingWorld;

const entitlement = (externalId: string) => world.get(CheckEntitlement).execute({ organizationId: world.organizationId, externalId });
const customerId = async (externalId: string) =>
  (await world.billing.probe.rows<{ id: string }>(`SELECT id::text FROM customers WHERE external_id = $1`, [externalId]))[0].id;
/** The cached period usage, as stored. */
const cachedUsage = async (id: string) =>
  (
    await world.billing.probe.rows<{ usage: string }>(
      `SELECT trim_scale(period_usage)::text AS usage FROM customer_entitlements WHERE customer_id = $1`,
      [id],
    )
  )[0]?.usage;
const waiting = (id: string) =>
  world.billing.probe.rows<{ claimed: boolean }>(
    `SELECT claimed_at IS NOT NULL AS claimed FROM entitlement_refreshes WHERE customer_id = $1`,
    [id],
  );

/** A customer with a wallet and a cached entitlement (a first read makes both); returns its id. */
async function watched(externalId: string): Promise<string> {
  await world.customer(externalId, { plan_code: 'instant' });
  await entitlement(externalId);
  return customerId(externalId);
}

/** Stores and prices one batch of `millions` × 1M gold-mini input tokens, as the price processor would. */
async function price(customer: string, millions: number): Promise<void> {
  await world.get(IngestEvents).execute({
    organizationId: world.organizationId,
    events: [goldEvent(customer, new Date('2026-01-05T00:00:00Z').getTime(), 'gold-mini', millions * 1_000_000, 0)],
  });
  const [row] = await world.billing.probe.rows<{ id: string }>(`SELECT id::text FROM ingest_batches ORDER BY created_at DESC LIMIT 1`);
  await world.get(PriceBatch).execute({ batchId: row.id });
}

beforeAll(async () => {
  world = await startBillingWorld('2026-01-01T00:00:00Z');
  await world.plan({
    code: 'instant',
    name: 'Instant',
    currency: 'USD',
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1' }],
  });
});

afterAll(async () => {
  await world?.close();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the entitlement refresher', () => {
  it("refreshes a priced batch's customers in its next round, not in the pricing job", async () => {
    const id = await watched('later');
    expect(await cachedUsage(id)).toBe('0');

    await price('later', 2);
    await price('later', 1);
    // Priced, and marked once for both batches: the cache still has what the read computed.
    expect(await cachedUsage(id)).toBe('0');
    expect(await waiting(id)).toEqual([{ claimed: false }]);

    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 1, more: false });
    expect(await cachedUsage(id)).toBe('3');
    expect(await waiting(id)).toEqual([]);
    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 0, more: false });
  });

  it('leaves a customer marked during its refresh (after the read) waiting, and refreshes it in the next round', async () => {
    const id = await watched('busy');
    const refresh = world.get(RefreshEntitlements);
    const original = refresh.execute.bind(refresh);
    let marked = false;
    jest.spyOn(refresh, 'execute').mockImplementation(async (ids) => {
      const positions = await original(ids);
      // A batch priced (and marking the customer) after the round's read, before its release.
      if (!marked) {
        marked = true;
        await price('busy', 4);
      }
      return positions;
    });

    await price('busy', 1);
    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 1, more: false });
    expect(await cachedUsage(id)).toBe('1');
    expect(await waiting(id)).toEqual([{ claimed: false }]);

    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 1, more: false });
    expect(await cachedUsage(id)).toBe('5');
    expect(await waiting(id)).toEqual([]);
  });

  it('lets refreshers at once claim disjoint customers, and every customer ends current', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const ids = await Promise.all(names.map((n) => watched(n)));
    for (const n of names) await price(n, 2);

    // The oldest mark's row is held by another transaction (a pricing job marking it, say) while two rounds claim at
    // once; each round then holds its claim until both have claimed.
    const holder = await world.billing.probe.pool.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM entitlement_refreshes WHERE customer_id = $1 FOR UPDATE`, [ids[0]]);
    const refresh = world.get(RefreshEntitlements);
    const original = refresh.execute.bind(refresh);
    const claimed: string[][] = [];
    let bothClaimed!: () => void;
    const barrier = new Promise<void>((resolve) => (bothClaimed = resolve));
    jest.spyOn(refresh, 'execute').mockImplementation(async (customerIds) => {
      claimed.push([...customerIds]);
      if (claimed.length === 2) bothClaimed();
      await barrier;
      return original(customerIds);
    });
    const rounds = Promise.all([1, 2].map(() => world.get(RefreshStaleEntitlements).execute(3)));
    // Both rounds claimed, or both wait for the held row (claims that would overlap): then the row is let go.
    await waitFor(
      async () =>
        claimed.length === 2 ||
        (await world.billing.probe.count('pg_stat_activity', `datname = current_database() AND wait_event_type = 'Lock'`)) >= 2,
      10_000,
      'two rounds claiming',
    );
    await holder.query('COMMIT');
    holder.release();
    bothClaimed();
    expect((await rounds).map((r) => r.refreshed).sort()).toEqual([2, 3]);
    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 1, more: false });

    expect(claimed.flat().sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await cachedUsage(id)).toBe('2');
    expect(await world.billing.probe.count('entitlement_refreshes', 'true')).toBe(0);
  });

  it("takes a dead refresher's claim again once it is older than the claim timeout", async () => {
    const id = await watched('orphan');
    await price('orphan', 3);
    // A refresher claims and dies: nothing computed, nothing released.
    const dead = await world.get(CreditsRepository).claimStale(10, 60_000);
    expect(dead.customerIds).toEqual([id]);

    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 0, more: false });
    expect(await cachedUsage(id)).toBe('0');

    await world.billing.probe.rows(
      `UPDATE entitlement_refreshes SET claimed_at = claimed_at - interval '61 seconds' WHERE customer_id = $1`,
      [id],
    );
    expect(await world.get(RefreshStaleEntitlements).execute()).toEqual({ refreshed: 1, more: false });
    expect(await cachedUsage(id)).toBe('3');
    expect(await waiting(id)).toEqual([]);
  });
});
