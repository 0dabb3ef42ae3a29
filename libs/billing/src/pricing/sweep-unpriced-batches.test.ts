import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { IngestEvents } from '../events/ingest-events';
import { CreateOrganization } from '../organizations/create-organization';
import { testEvent } from '../test-support/events';
import { PriceQueue } from './price-queue';
import { SweepUnpricedBatches } from './sweep-unpriced-batches';

// The sweeper with the real repositories, Postgres and Redis (no worker takes the jobs): it refills the price
// queue from Postgres, one job per batch however often it runs.

let billing: TestBilling;
let organizationId: string;

const waiting = async () => (await billing.get(PriceQueue).queue.getJobCounts('waiting')).waiting;

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  // Batches older than half of 1 s are the sweeper's.
  billing = await startTestBilling({ SWEEP_INTERVAL_SECONDS: '1' });
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'sweep' })).id;
});

afterAll(async () => {
  await billing?.close();
});

describe('the sweeper', () => {
  it('adds no second job for a batch that has one, however often it runs', async () => {
    for (let i = 0; i < 3; i++) await billing.get(IngestEvents).execute({ organizationId, events: [testEvent(`sweep-${i}`)] });
    await until(async () => (await waiting()) === 3); // ingest enqueues after its commit, off the reply's path
    await new Promise((r) => setTimeout(r, 600));
    const sweep = billing.get(SweepUnpricedBatches);
    expect(await sweep.execute()).toEqual({ batches: 3, ratesChanged: true });
    expect(await sweep.execute()).toEqual({ batches: 3, ratesChanged: false });
    expect(await waiting()).toBe(3);
  });

  it('refills a queue that lost its jobs, once', async () => {
    await billing.get(PriceQueue).queue.obliterate({ force: true });
    expect(await waiting()).toBe(0);
    const sweep = billing.get(SweepUnpricedBatches);
    await sweep.execute();
    await sweep.execute();
    expect(await waiting()).toBe(3);
  });

  it('leaves quarantined batches alone', async () => {
    await billing.probe.rows(
      `UPDATE ingest_batches SET quarantined_at = now() WHERE id = (SELECT id FROM ingest_batches ORDER BY created_at LIMIT 1)`,
    );
    await billing.get(PriceQueue).queue.obliterate({ force: true });
    expect((await billing.get(SweepUnpricedBatches).execute()).batches).toBe(2);
    expect(await waiting()).toBe(2);
  });
});
