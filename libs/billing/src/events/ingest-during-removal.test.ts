import { Client } from 'pg';
import { OrganizationsRepository } from '@tollgate/db';
import { startTestBilling, startTestBillingBeside, type TestBilling } from '@tollgate/testing/billing-harness';
import { CreateOrganization } from '../organizations/create-organization';
import { CreatePlan } from '../plans/create-plan';
import { testEvent } from '../test-support/events';
import { IngestEvents } from './ingest-events';

// Events carry no foreign key of their own to organizations (checked per row, it cost Postgres about 4 us per
// event; docs/performance.md): the batch row stored in the same statement carries it, checked once per batch. An
// organisation removed while one of its batches is being stored must still leave none of the batch's events
// behind, whichever way the batch is stored (priced as stored, or pending for the worker).

let inline: TestBilling;
let worker: TestBilling;

const PLAN = {
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  charges: [{ name: 'standard', models: ['*'], mode: 'price' as const, markup: '0.25', margin_floor: null, allowance_eligible: true }],
};

beforeAll(async () => {
  inline = await startTestBilling();
  worker = await startTestBillingBeside(inline, { INGEST_PRICING: 'worker' });
});

afterAll(async () => {
  await worker?.close();
  await inline?.close();
});

/** Waits until `n` backends of the test database wait for a lock. */
async function lockWaiters(n: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const [{ waiting }] = await inline.probe.rows<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (waiting >= n) return;
    if (Date.now() > until) throw new Error(`${waiting} backends wait for a lock, not ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([
  ['priced as it is stored', () => inline],
  ['stored pending for the worker', () => worker],
])('an organisation removed while a batch is %s', (_, billing) => {
  it('fails the batch and leaves none of its events', async () => {
    const organizationId = (await inline.get(CreateOrganization).execute({ name: 'removed meanwhile' })).id;
    await inline.get(CreatePlan).execute({ organizationId, plan: PLAN });
    await inline.probe.rows(`UPDATE organizations SET default_plan_code = 'pro' WHERE id = $1`, [organizationId]);
    const ingest = billing().get(IngestEvents);
    // The customers first, so that the batch below goes the known-customers way (priced as stored, when inline).
    await ingest.execute({ organizationId, events: [testEvent('a'), testEvent('b')] });

    // The removal locks the organisation, deletes its events and batches, then waits at its api keys...
    const blocker = new Client({ connectionString: inline.config.databaseUrl });
    await blocker.connect();
    let removal: Promise<boolean>;
    let storing: Promise<Error | null>;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE api_keys IN SHARE MODE');
      removal = inline.get(OrganizationsRepository).removeWithData(organizationId);
      await lockWaiters(1);
      // ...while a batch is stored: its statement inserts the events, then waits to check the batch's organisation
      // (without that check, it would not wait: it would commit events the removal never sees).
      storing = ingest.execute({ organizationId, events: [testEvent('a'), testEvent('b'), testEvent('a')] }).then(
        () => null,
        (err: Error) => err,
      );
      await Promise.race([lockWaiters(2), storing]);
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }

    expect(await removal).toBe(true);
    const failed = await storing;
    expect(failed?.message).toMatch(/foreign key/);
    const [left] = await inline.probe.rows<{ events: number; batches: number }>(
      `SELECT (SELECT count(*)::int FROM events WHERE organization_id = $1) AS events,
         (SELECT count(*)::int FROM ingest_batches WHERE organization_id = $1) AS batches`,
      [organizationId],
    );
    expect(left).toEqual({ events: 0, batches: 0 });
  });
});
