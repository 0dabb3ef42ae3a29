import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { CreateCustomer } from '../customers/create-customer';
import { IngestEvents } from '../events/ingest-events';
import { ListEvents } from '../events/list-events';
import { CreateOrganization } from '../organizations/create-organization';
import { CreatePlan } from '../plans/create-plan';
import { PriceBatch } from './price-batch';
import { RetryQuarantinedBatches } from './retry-quarantined-batches';
import { testEvent } from '../test-support/events';

// PriceBatch with the real repositories and Postgres: a batch that keeps failing is quarantined with its
// reason after PRICE_MAX_ATTEMPTS, never in the way of other batches, and an admin's retry prices it.

let billing: TestBilling;
let organizationId: string;
const FRAGILE = {
  code: 'fragile',
  name: 'Fragile',
  currency: 'USD',
  charges: [{ name: 'all', models: ['*'], mode: 'price' as const, markup: '0.25', margin_floor: null, allowance_eligible: true }],
};

const batchOf = async (transactionId: string) =>
  (await billing.probe.rows<{ id: string }>('SELECT batch_id::text AS id FROM events WHERE transaction_id = $1', [transactionId]))[0].id;
const eventOf = async (transactionId: string) =>
  (await billing.get(ListEvents).execute({ organizationId, transactionId, limit: 1 })).events[0];

beforeAll(async () => {
  billing = await startTestBilling({ PRICE_MAX_ATTEMPTS: '3' });
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'quarantine' })).id;
  await billing.get(CreatePlan).execute({ organizationId, plan: FRAGILE });
  await billing.get(CreateCustomer).execute({ organizationId, externalId: 'on-fragile', fields: { plan_code: 'fragile' } });
  // A stored plan that no longer validates: every batch of its customers fails the same way.
  await billing.probe.rows(`UPDATE plans SET definition = definition - 'charges' WHERE code = 'fragile'`);
});

afterAll(async () => {
  await billing?.close();
});

describe('a batch whose pricing keeps failing', () => {
  it('is retried, then quarantined with its reason, while other batches are priced', async () => {
    const bad = testEvent('on-fragile');
    const good = testEvent('on-default');
    await billing.get(IngestEvents).execute({ organizationId, events: [bad] });
    await billing.get(IngestEvents).execute({ organizationId, events: [good] });
    const badBatch = await batchOf(bad.transactionId);
    const price = billing.get(PriceBatch);

    await expect(price.execute({ batchId: badBatch })).rejects.toThrow(/stored plan fragile v1 is not valid/);
    await expect(price.execute({ batchId: badBatch })).rejects.toThrow(/stored plan fragile v1 is not valid/);
    expect((await eventOf(bad.transactionId)).pricing_status).toBe('pending');
    const third = await price.execute({ batchId: badBatch });
    expect(third).toMatchObject({ outcome: 'quarantined', events: 1, error: expect.stringMatching(/stored plan fragile v1 is not valid/) });

    expect(await eventOf(bad.transactionId)).toMatchObject({
      pricing_status: 'unpriced',
      unpriced_reason: expect.stringMatching(/^quarantined after 3 failed pricing attempts .*: stored plan fragile v1 is not valid/),
    });
    // Once quarantined it stays so: another run (a stray job) fails without counting or changing anything.
    await expect(price.execute({ batchId: badBatch })).rejects.toThrow(/not valid/);
    expect(
      (
        await billing.probe.rows('SELECT failed_attempts, quarantined_at IS NOT NULL AS q FROM ingest_batches WHERE id = $1', [badBatch])
      )[0],
    ).toEqual({ failed_attempts: 3, q: true });

    expect(await price.execute({ batchId: await batchOf(good.transactionId) })).toMatchObject({ outcome: 'priced', priced: 1 });
    expect((await eventOf(good.transactionId)).pricing_status).toBe('priced');
  });

  it('counts failures in a row of the same error only', async () => {
    const e = testEvent('on-fragile');
    await billing.get(IngestEvents).execute({ organizationId, events: [e] });
    const batchId = await batchOf(e.transactionId);
    await expect(billing.get(PriceBatch).execute({ batchId })).rejects.toThrow();
    await expect(billing.get(PriceBatch).execute({ batchId })).rejects.toThrow();
    // Another error in between starts the count again.
    await billing.probe.rows(`UPDATE ingest_batches SET last_error = 'another error', failed_attempts = 1 WHERE id = $1`, [batchId]);
    await expect(billing.get(PriceBatch).execute({ batchId })).rejects.toThrow();
    await expect(billing.get(PriceBatch).execute({ batchId })).rejects.toThrow();
    expect((await eventOf(e.transactionId)).pricing_status).toBe('pending');
    expect((await billing.get(PriceBatch).execute({ batchId })).outcome).toBe('quarantined');
  });

  it("is priced again when an admin retries the organisation's quarantined batches", async () => {
    await billing.probe.rows(`UPDATE plans SET definition = $1 WHERE code = 'fragile'`, [
      JSON.stringify({ ...FRAGILE, interval: 'month' }),
    ]);
    const retried = await billing.get(RetryQuarantinedBatches).execute({ organizationId });
    expect(retried).toEqual({ batches: 2, events: 2 });
    const pending = await billing.probe.rows<{ id: string }>(
      `SELECT id::text FROM ingest_batches WHERE priced_at IS NULL AND quarantined_at IS NULL`,
    );
    expect(pending).toHaveLength(2);
    for (const { id } of pending)
      expect(await billing.get(PriceBatch).execute({ batchId: id })).toMatchObject({ outcome: 'priced', priced: 1 });
    expect(await billing.probe.count('events', "pricing_status <> 'priced'")).toBe(0);
    expect(await billing.get(RetryQuarantinedBatches).execute({ organizationId })).toEqual({ batches: 0, events: 0 });
  });
});
