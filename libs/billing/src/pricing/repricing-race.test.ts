import { Client } from 'pg';
import { PricingRepository } from '@tollgate/db';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { waitFor } from '@tollgate/testing';
import { ChangeCustomer } from '../customers/change-customer';
import { CreateCustomer } from '../customers/create-customer';
import { IngestEvents } from '../events/ingest-events';
import { CreateOrganization } from '../organizations/create-organization';
import { CreatePlan } from '../plans/create-plan';
import { testEvent } from '../test-support/events';
import { PriceBatch } from './price-batch';

// A repricing reset committing while a pricing run has read a batch (pending, under the old plan) and not yet
// written it must not leave the events priced under the old plan (docs/design.md, "Repricing"). The two
// transactions are driven step by step against the real Postgres: a third session holds the events' row locks,
// so the pricing write waits exactly between its reads and its write while the reset runs.

let billing: TestBilling;
let organizationId: string;
let seq = 0;

const plan = (code: string, charge: string, markup: string) => ({
  code,
  name: code,
  currency: 'USD',
  interval: 'month' as const,
  charges: [{ name: charge, models: ['*'], mode: 'price' as const, markup, margin_floor: null, allowance_eligible: true }],
});

async function customerWithEvent(): Promise<{ externalId: string; transactionId: string; batchId: string }> {
  const externalId = `racer-${seq++}`;
  await billing.get(CreateCustomer).execute({ organizationId, externalId, fields: { plan_code: 'old' } });
  const event = testEvent(externalId);
  await billing.get(IngestEvents).execute({ organizationId, events: [event] });
  const [{ id }] = await billing.probe.rows<{ id: string }>('SELECT batch_id::text AS id FROM events WHERE transaction_id = $1', [
    event.transactionId,
  ]);
  return { externalId, transactionId: event.transactionId, batchId: id };
}

const stored = async (transactionId: string) =>
  (
    await billing.probe.rows<{ pricing_status: string; charge: string | null; doubled: boolean | null }>(
      'SELECT pricing_status, charge, rated_amount = provider_cost * 2 AS doubled FROM events WHERE transaction_id = $1',
      [transactionId],
    )
  )[0];

/** Sessions of this database waiting for a lock. */
const waiting = () => billing.probe.count('pg_stat_activity', `datname = current_database() AND wait_event_type = 'Lock'`);

/** Prices every batch left open, as the worker would once the reset's batches are enqueued. */
async function priceOpenBatches() {
  for (const { id } of await billing.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL')) {
    await billing.get(PriceBatch).execute({ batchId: id });
  }
}

beforeAll(async () => {
  billing = await startTestBilling();
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'race' })).id;
  await billing.get(CreatePlan).execute({ organizationId, plan: plan('old', 'old-charge', '0') });
  await billing.get(CreatePlan).execute({ organizationId, plan: plan('new', 'new-charge', '1') });
});

afterAll(async () => {
  await billing?.close();
});

describe('a customer moved to another plan while its batch is being priced', () => {
  it('ends priced under the new plan, whatever the pricing run read before', async () => {
    const { externalId, transactionId, batchId } = await customerWithEvent();
    const locker = new Client({ connectionString: billing.config.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM events WHERE transaction_id = $1 FOR UPDATE', [transactionId]);
      // 1. The pricing run reads the batch (pending, customer on "old") and blocks in its write.
      const pricing = billing.get(PriceBatch).execute({ batchId });
      await waitFor(async () => (await waiting()) >= 1, 10_000, 'the pricing write to wait');
      // 2. The customer moves to "new" meanwhile: the reset runs (or waits on the pricing write) now.
      let moved = false;
      const move = billing
        .get(ChangeCustomer)
        .execute({ organizationId, externalId, changes: { plan_code: 'new' } })
        .then(() => (moved = true));
      await waitFor(async () => moved || (await waiting()) >= 2, 10_000, 'the reset to commit or wait');
      // 3. The pricing write goes on.
      await locker.query('ROLLBACK');
      await Promise.all([pricing, move]);
    } finally {
      await locker.end();
    }
    await priceOpenBatches();
    // The new plan's markup of 1: rated at twice the cost.
    expect(await stored(transactionId)).toEqual({ pricing_status: 'priced', charge: 'new-charge', doubled: true });
  });

  it('a pricing write that read before a reset committed writes nothing; priced again, it uses the new plan', async () => {
    const { externalId, transactionId, batchId } = await customerWithEvent();
    const pricing = new PricingRepository(billing.probe.pool);
    const guard = (await pricing.pricingGuard(batchId))!;
    const [event] = await pricing.eventsToPrice(batchId);
    await billing.get(ChangeCustomer).execute({ organizationId, externalId, changes: { plan_code: 'new' } });
    const asUnderOldPlan = {
      id: event.id,
      status: 'priced' as const,
      reason: null,
      providerCost: '1',
      ratedAmount: '1',
      rateCardId: null,
      charge: 'old-charge',
      planVersionId: null,
      periodStart: new Date(),
      periodEnd: new Date(Date.now() + 86_400_000),
    };
    expect(await pricing.writePriced(batchId, guard, [asUnderOldPlan])).toBeNull();
    expect((await stored(transactionId)).pricing_status).toBe('pending');
    expect(await billing.get(PriceBatch).execute({ batchId })).toMatchObject({ outcome: 'priced', priced: 1 });
    expect(await stored(transactionId)).toMatchObject({ pricing_status: 'priced', charge: 'new-charge' });
  });
});
