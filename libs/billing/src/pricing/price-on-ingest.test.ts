import { Client } from 'pg';
import { EventsRepository } from '@tollgate/db';
import { startTestBilling, startTestBillingBeside, type TestBilling } from '@tollgate/testing/billing-harness';
import { SetUsageAlerts } from '../alerts/set-usage-alerts';
import { IngestEvents, type IngestEvent } from '../events/ingest-events';
import { FoldRollups } from '../analytics/fold-rollups';
import { CreateOrganization } from '../organizations/create-organization';
import { ChangePlan } from '../plans/change-plan';
import { CreatePlan } from '../plans/create-plan';
import { RefreshStaleEntitlements } from '../credits/refresh-stale-entitlements';
import { testEvent } from '../test-support/events';
import { PriceBatch } from './price-batch';
import { PriceOnIngest } from './price-on-ingest';

// Pricing as the batch is stored (docs/design.md), with the real repositories and Postgres: a batch whose
// customers the api knows is stored priced, with exactly the amounts and aggregates the worker gives the same
// events; duplicates never count twice; and whenever the api cannot or must not price (a reset in between, an
// uncommitted reset, usage alerts, an event it cannot price) the batch is stored pending for the worker.

let inline: TestBilling;
/** The same database through a second set of use cases that leaves all pricing to the worker (INGEST_PRICING=worker). */
let worker: TestBilling;
let organizationId: string;

const PLAN = {
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  included_usage: '1.00',
  charges: [
    { name: 'premium', models: ['*gpt-4o'], mode: 'price' as const, markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price' as const, markup: '0.25', margin_floor: null, allowance_eligible: true },
  ],
};

const ingest = (billing: TestBilling, events: IngestEvent[]) => billing.get(IngestEvents).execute({ organizationId, events });

/** Every event of the customers, as pricing left it, in the order of their usage (the same for the same events). */
async function pricedEvents(customers: string[]) {
  return inline.probe.rows(
    `SELECT external_customer_id AS customer, model, pricing_status, trim_scale(provider_cost)::text AS provider_cost,
       trim_scale(rated_amount)::text AS rated_amount, rate_card_id::text, charge, plan_version_id::text, period_start
     FROM events WHERE external_customer_id = ANY($1) ORDER BY external_customer_id, input_tokens, model`,
    [customers],
  );
}

async function aggregates(customers: string[]) {
  return inline.probe.rows(
    `SELECT c.external_id AS customer, a.period_start, a.period_end, a.charge, a.events::int, trim_scale(a.provider_cost)::text AS provider_cost,
       trim_scale(a.rated_amount)::text AS rated_amount, a.input_tokens::text, a.cache_read_tokens::text, a.output_tokens::text,
       a.reasoning_tokens::text, a.web_searches::text, a.requests::text
     FROM usage_aggregates a JOIN customers c ON c.id = a.customer_id WHERE c.external_id = ANY($1) ORDER BY 1, 2, 4`,
    [customers],
  );
}

/**
 * The analytics rollups of these customers (per period, model and charge) once folded, as a report reads them:
 * every priced event, counted once.
 */
async function rollups(customers: string[]) {
  await inline.get(FoldRollups).organization(organizationId);
  return inline.probe.rows(
    `SELECT c.external_id AS customer, r.period_start, r.charge, r.provider, r.model, r.events::int,
       trim_scale(r.provider_cost)::text AS provider_cost, trim_scale(r.rated_amount)::text AS rated_amount,
       r.input_tokens::text, r.output_tokens::text
     FROM analytics_periods r JOIN customers c ON c.id = r.customer_id WHERE c.external_id = ANY($1) ORDER BY 1, 2, 3, 4, 5`,
    [customers],
  );
}

const openBatches = async () =>
  (await inline.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL ORDER BY created_at')).map(
    (r) => r.id,
  );

async function priceOpenBatches() {
  for (const batchId of await openBatches()) await worker.get(PriceBatch).execute({ batchId });
}

/** Varied events of a customer: two models (two charges), several usage dimensions, one with a reported cost. */
function events(customer: string, n: number): IngestEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const e = testEvent(customer, Date.now() - 1000 - i);
    e.model = i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini';
    e.usage = e.usage.map((count, d) => (d === 1 ? 300 + i : d === 5 ? i : d === 9 ? i % 2 : count + i));
    if (i === 3) e.cost = '0.001234';
    return e;
  });
}

/** The customers become known to each process (a first batch creates them, which the worker prices). */
async function introduce(billing: TestBilling, customers: string[]) {
  await ingest(
    billing,
    customers.map((c) => testEvent(c)),
  );
  await priceOpenBatches();
}

beforeAll(async () => {
  inline = await startTestBilling();
  worker = await startTestBillingBeside(inline, { INGEST_PRICING: 'worker' });
  organizationId = (await inline.get(CreateOrganization).execute({ name: 'inline pricing' })).id;
  await inline.get(CreatePlan).execute({ organizationId, plan: PLAN });
  await inline.probe.rows(`UPDATE organizations SET default_plan_code = 'pro' WHERE id = $1`, [organizationId]);
});

afterAll(async () => {
  await worker?.close();
  await inline?.close();
});

describe('a batch whose customers the api knows', () => {
  it('is stored priced, with the amounts and aggregates the worker gives the same events', async () => {
    await introduce(inline, ['in-a', 'in-b']);
    await introduce(worker, ['wk-a', 'wk-b']);
    const before = await openBatches();

    await ingest(inline, [...events('in-a', 12), ...events('in-b', 7)]);
    expect(await openBatches()).toEqual(before); // priced as stored: nothing left for the worker
    await ingest(worker, [...events('wk-a', 12), ...events('wk-b', 7)]);
    expect((await openBatches()).length).toBe(before.length + 1);
    await priceOpenBatches();

    const strip = (rows: Record<string, unknown>[], from: string, to: string) =>
      rows.map((r) => ({ ...r, customer: (r.customer as string).replace(from, to) }));
    const inlineEvents = await pricedEvents(['in-a', 'in-b']);
    expect(inlineEvents.every((e) => e.pricing_status === 'priced')).toBe(true);
    expect(new Set(inlineEvents.map((e) => e.charge))).toEqual(new Set(['premium', 'standard']));
    expect(inlineEvents.some((e) => e.rate_card_id === null)).toBe(false);
    expect(strip(inlineEvents, 'in-', 'x-')).toEqual(strip(await pricedEvents(['wk-a', 'wk-b']), 'wk-', 'x-'));
    expect(strip(await aggregates(['in-a', 'in-b']), 'in-', 'x-')).toEqual(strip(await aggregates(['wk-a', 'wk-b']), 'wk-', 'x-'));
    // The analytics rollups take events priced at ingest as they take the worker's.
    const inlineRollups = await rollups(['in-a', 'in-b']);
    const count = (rows: Record<string, unknown>[]) => rows.reduce((n, r) => n + (r.events as number), 0);
    expect(count(inlineRollups)).toBe(count(await aggregates(['in-a', 'in-b']))); // the 19 and introduce's
    expect(count(inlineRollups)).toBeGreaterThanOrEqual(19);
    expect(strip(inlineRollups, 'in-', 'x-')).toEqual(strip(await rollups(['wk-a', 'wk-b']), 'wk-', 'x-'));
  });

  it('counts each event once: a batch sent again is duplicates, a mixed one adds only its new events', async () => {
    await introduce(inline, ['dup']);
    const batch = events('dup', 5);
    await ingest(inline, batch);
    const once = await aggregates(['dup']);
    const onceRolled = await rollups(['dup']);
    expect((await ingest(inline, batch)).map((r) => r.status)).toEqual(Array(5).fill('duplicate'));
    expect(await aggregates(['dup'])).toEqual(once);
    expect(await rollups(['dup'])).toEqual(onceRolled);

    const more = events('dup', 2);
    const results = await ingest(inline, [...batch.slice(0, 2), ...more]);
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'accepted', 'accepted']);
    const after = await aggregates(['dup']);
    const total = (rows: Record<string, unknown>[]) => rows.reduce((n, r) => n + (r.events as number), 0);
    expect(total(after)).toBe(total(once) + 2);
    expect(total(await rollups(['dup']))).toBe(total(once) + 2);
    expect(await openBatches()).toEqual([]);
  });

  it('marks the customers that have a credit wallet for the entitlement refresher, in the same statement', async () => {
    await introduce(inline, ['walleted', 'plain']);
    await inline.probe.rows(
      `INSERT INTO credit_wallets (customer_id, organization_id) SELECT id, organization_id FROM customers WHERE external_id = 'walleted'`,
    );
    await ingest(inline, [...events('walleted', 1), ...events('plain', 1)]);
    expect(await openBatches()).toHaveLength(0);
    expect(new Set((await pricedEvents(['walleted', 'plain'])).map((e) => e.pricing_status))).toEqual(new Set(['priced']));
    const marked = await inline.probe.rows<{ external_id: string }>(
      `SELECT c.external_id FROM entitlement_refreshes r JOIN customers c ON c.id = r.customer_id ORDER BY 1`,
    );
    expect(marked.map((r) => r.external_id)).toEqual(['walleted']);
    // The refresher takes the mark; the customer's next priced batch marks it again.
    expect(await inline.get(RefreshStaleEntitlements).all()).toBe(1);
    expect(await inline.probe.count('entitlement_refreshes')).toBe(0);
    await ingest(inline, events('walleted', 1));
    expect(await openBatches()).toHaveLength(0);
    expect(await inline.probe.count('entitlement_refreshes')).toBe(1);
  });
});

describe('a batch the api leaves to the worker, stored pending', () => {
  it('when a repricing reset committed between its reads and its write; the worker prices it on the new plan', async () => {
    await introduce(inline, ['raced']);
    const customerId = (await inline.probe.rows<{ id: string }>(`SELECT id::text FROM customers WHERE external_id = 'raced'`))[0].id;
    const batch = events('raced', 3);
    const rows = batch.map((e) => ({
      ...e,
      customerId,
      metadata: null,
      cost: e.cost,
    }));
    const pricing = await inline.get(PriceOnIngest).prepare(organizationId, rows);
    expect(pricing).not.toBeNull();
    // A new version of the plan: a reset (the epoch moves) commits before the write.
    await inline
      .get(ChangePlan)
      .execute({ organizationId, code: 'pro', plan: { ...PLAN, charges: [{ ...PLAN.charges[1], markup: '2' }] } });
    const batchId = '00000000-0000-4000-8000-000000000001';
    expect(await inline.get(EventsRepository).storePricedBatch(organizationId, batchId, rows, pricing!)).toEqual({
      inserted: 3,
      priced: false,
    });
    expect(await openBatches()).toContain(batchId); // with the batches the reset re-opened
    await priceOpenBatches();
    const priced = await pricedEvents(['raced']);
    expect(priced.filter((e) => e.pricing_status === 'priced')).toHaveLength(4);
    expect(new Set(priced.map((e) => e.charge))).toEqual(new Set(['standard'])); // the new version's only charge
  });

  it('without waiting while a reset is uncommitted', async () => {
    await introduce(inline, ['locked']);
    const reset = new Client({ connectionString: inline.config.databaseUrl });
    await reset.connect();
    try {
      await reset.query('BEGIN');
      await reset.query('UPDATE organizations SET pricing_epoch = pricing_epoch + 1 WHERE id = $1', [organizationId]);
      const results = await ingest(inline, events('locked', 2));
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      expect(await openBatches()).toHaveLength(1);
    } finally {
      await reset.query('ROLLBACK');
      await reset.end();
    }
    await priceOpenBatches();
    expect((await pricedEvents(['locked'])).map((e) => e.pricing_status)).toEqual(['priced', 'priced', 'priced']);
  });

  it('when a customer of the batch has usage alerts (the worker checks them)', async () => {
    await introduce(inline, ['alerted', 'quiet']);
    await inline.get(SetUsageAlerts).execute({ organizationId, externalId: 'alerted', thresholds: ['100'] });
    await ingest(inline, [...events('alerted', 1), ...events('quiet', 1)]);
    expect(await openBatches()).toHaveLength(1);
    await ingest(inline, events('quiet', 1));
    expect(await openBatches()).toHaveLength(1); // alone, the quiet customer's batch is priced as stored
    await priceOpenBatches();
  });

  it('when an event cannot be priced: the worker stores it unpriced with the reason, the rest priced', async () => {
    await introduce(inline, ['unknown-model']);
    const batch = events('unknown-model', 2);
    batch[1].model = 'no-such-model-anywhere';
    await ingest(inline, batch);
    expect(await openBatches()).toHaveLength(1);
    await priceOpenBatches();
    const rows = await inline.probe.rows<{ pricing_status: string; unpriced_reason: string | null }>(
      `SELECT pricing_status, unpriced_reason FROM events WHERE external_customer_id = 'unknown-model' ORDER BY id`,
    );
    expect(rows.map((r) => r.pricing_status)).toEqual(['priced', 'priced', 'unpriced']);
    expect(rows[2].unpriced_reason).toMatch(/no-such-model-anywhere|no rate card/);
  });
});
