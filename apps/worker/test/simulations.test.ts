import { randomBytes } from 'node:crypto';
import {
  AddRateOverride,
  Clock,
  CreateCustomer,
  CreatePlan,
  IngestEvents,
  PriceBatch,
  RunBillingCycle,
  type TestClock,
} from '@tollgate/billing';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { startWorker, waitFor, type WorkerProcess } from '@tollgate/testing';
import { startTestApi, type SimulationBody, type TestApi } from '@tollgate/testing/api-harness';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';

// A stress test too large to run in its request (SIMULATION_INLINE_MAX_EVENTS=0 here) is queued by the api and run
// by a real worker process; its progress and result are read back through the api. One customer on "flat" (markup
// 30%): 3 calls of gold-mini (2M in, 500k out: $1.75 each) in September, billed $6.83 on $5.25.

let api: TestApi;
let billing: TestBilling;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  api = await startTestApi({ RATE_SOURCES: 'none', SIMULATION_INLINE_MAX_EVENTS: '0' });
  billing = await startTestBilling({
    DATABASE_URL: api.databaseUrl,
    QUEUE_PREFIX: api.config.queuePrefix,
    TOLLGATE_TEST_NOW: '2026-09-01T00:00:00Z',
  });
  const [{ id: organizationId }] = await billing.probe.rows<{ id: string }>('SELECT id::text FROM organizations WHERE is_default');
  await billing.get(AddRateOverride).execute({
    organizationId,
    provider: 'test',
    model: 'gold-mini',
    prices: { input_tokens: '0.0000005', output_tokens: '0.0000015' },
    tiers: [],
    effectiveFrom: new Date('2020-01-01T00:00:00Z'),
  });
  await billing.get(CreatePlan).execute({
    organizationId,
    plan: { code: 'flat', name: 'Flat', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '0.3' }] },
  });
  await billing.get(CreateCustomer).execute({ organizationId, externalId: 'acme', fields: { plan_code: 'flat' } });
  await billing.get(IngestEvents).execute({
    organizationId,
    events: Array.from({ length: 3 }, (_, i) => ({
      transactionId: `sim-${i}`,
      externalCustomerId: 'acme',
      occurredAt: Date.parse('2026-09-10T00:00:00Z') + i,
      timestampProvided: true,
      provider: 'test',
      model: 'gold-mini',
      usage: USAGE_DIMENSIONS.map((d) => (d === 'input_tokens' ? 2_000_000 : d === 'output_tokens' ? 500_000 : d === 'requests' ? 1 : 0)),
      cost: null,
      taskId: null,
      traceId: null,
      sessionId: null,
      feature: null,
      status: 'success',
      retryOf: null,
      metadata: null,
      contentHash: randomBytes(32),
    })),
  });
  for (const { id } of await billing.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL'))
    await billing.get(PriceBatch).execute({ batchId: id });
  (billing.get(Clock) as TestClock).set('2026-10-01T00:00:01Z');
  await billing.get(RunBillingCycle).execute();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await billing?.close();
  await api?.close();
});

describe('a queued stress test', () => {
  it('is run by the worker and read back with its progress and result', async () => {
    const created = await api.request<SimulationBody>('POST', '/v1/analytics/simulations', {
      from: '2026-09-01T00:00:00Z',
      to: '2026-10-01T00:00:00Z',
      usage_growth: '2',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'queued', result: null, progress: { events_total: 3, events_done: 0 } });

    worker = startWorker({
      DATABASE_URL: api.databaseUrl,
      REDIS_URL: api.config.redisUrl,
      QUEUE_PREFIX: api.config.queuePrefix,
      SWEEP_INTERVAL_SECONDS: '1',
    });
    let done: SimulationBody | undefined;
    await waitFor(
      async () => {
        done = (await api.request<SimulationBody>('GET', `/v1/analytics/simulations/${created.body.id}`)).body;
        return done.status === 'succeeded' || done.status === 'failed';
      },
      60_000,
      `the simulation to finish\n${worker.output()}`,
    );
    // Twice the usage: cost 10.50, rated 13.65.
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: { events_total: 3, events_done: 3 },
      result: {
        customers: [
          expect.objectContaining({ external_customer_id: 'acme', billed_then: '6.83', cost_simulated: '10.5', billed_simulated: '13.65' }),
        ],
      },
    });
  });
});
