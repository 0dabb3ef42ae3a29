import Redis from 'ioredis';
import { PricingRepository } from '@tollgate/db';
import { DatabaseProbe, startWorker, waitFor, type WorkerProcess } from '@tollgate/testing';
import {
  startTestApi,
  type CustomerUsageBody,
  type EntitlementBody,
  type EventListBody,
  type IngestBody,
  type InvoicePreviewBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

// The pricing pipeline end to end: the real api ingests, real worker processes price, Postgres is checked.
// Its queues live under a key prefix of their own (the test api's QUEUE_PREFIX) in Redis database 7. The api
// leaves every batch to the worker (INGEST_PRICING=worker): this file is the worker's (two at once, one killed
// mid-pricing, Redis losing its data); pricing as the batch is stored is price-on-ingest.test.ts's, and the
// resilience test runs the api as deployed.
const REDIS_URL = 'redis://127.0.0.1:6379/7';

let api: TestApi;
let probe: DatabaseProbe;
let workers: WorkerProcess[] = [];
let seq = 0;

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'o3', 'claude-sonnet-4-20250514'];
const PROVIDER: Record<string, string> = {
  'gpt-4o': 'openai',
  'gpt-4o-mini': 'openai',
  o3: 'openai',
  'claude-sonnet-4-20250514': 'anthropic',
};

function batch(n: number, customers = 5) {
  return Array.from({ length: n }, () => {
    const k = seq++;
    const model = MODELS[k % MODELS.length];
    return {
      transaction_id: `pipe-${k}`,
      external_customer_id: `pc-${k % customers}`,
      provider: PROVIDER[model],
      model,
      timestamp: Date.now() - 1000,
      task_id: `task-${k % 3}`,
      feature: k % 2 ? 'chat' : 'search',
      usage: { input_tokens: 1000 + (k % 97), cache_read_tokens: k % 300, output_tokens: 200 + (k % 13), reasoning_tokens: k % 7 },
    };
  });
}

async function ingest(batches: number, size: number) {
  for (let i = 0; i < batches; i++) {
    const res = await api.request('POST', '/v1/events', { events: batch(size) }, api.ingestKey);
    expect(res.status).toBe(200);
  }
}

const workerEnv = () => ({
  DATABASE_URL: api.databaseUrl,
  REDIS_URL,
  QUEUE_PREFIX: api.config.queuePrefix,
  SWEEP_INTERVAL_SECONDS: '1',
  RATE_POLL_SECONDS: '1',
});

const count = (where: string): Promise<number> => probe.count('events', where);
const eventsOf = (transactionId: string) => api.request<EventListBody>('GET', `/v1/events?transaction_id=${transactionId}`);
const previewOf = (customer: string) => api.request<InvoicePreviewBody>('GET', `/v1/customers/${customer}/invoices/preview`);

/** A priced event's row as PricingRepository.writePriced takes it back (pg returns numeric as text here). */
interface PricedRow {
  id: string;
  batch_id: string;
  provider_cost: string;
  rated_amount: string;
  rate_card_id: string;
  charge: string;
  plan_version_id: string;
  period_start: Date;
}

/** The aggregates equal a recomputation from the priced events: nothing counted twice, nothing lost. */
async function expectAggregatesMatchEvents() {
  const dims = ['input_tokens', 'cache_read_tokens', 'output_tokens', 'reasoning_tokens', 'requests'];
  const fromEvents = await probe.rows(
    `SELECT customer_id, period_start, charge, count(*)::text AS events, sum(provider_cost)::text AS cost, sum(rated_amount)::text AS rated,
            ${dims.map((d) => `sum(${d})::text AS ${d}`).join(', ')}
     FROM events WHERE pricing_status = 'priced' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const aggregates = await probe.rows(
    `SELECT customer_id, period_start, charge, events::text, provider_cost::text AS cost, rated_amount::text AS rated,
            ${dims.map((d) => `${d}::text`).join(', ')}
     FROM usage_aggregates WHERE events <> 0 ORDER BY 1, 2, 3`,
  );
  expect(aggregates).toEqual(fromEvents);
}

/** Once the workers folded every pricing write, the analytics rollups equal the priced events, per customer and charge. */
async function expectRollupsMatchEvents() {
  await waitFor(async () => (await probe.rows('SELECT 1 FROM rollup_pending LIMIT 1')).length === 0, 60_000, 'the rollups folded');
  const fromEvents = await probe.rows(
    `SELECT customer_id, period_start, charge, count(*)::text AS events, sum(provider_cost)::text AS cost, sum(input_tokens)::text AS input
     FROM events WHERE pricing_status = 'priced' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const rollups = await probe.rows(
    `SELECT customer_id, period_start, charge, sum(events)::text AS events, sum(provider_cost)::text AS cost, sum(input_tokens)::text AS input
     FROM analytics_periods GROUP BY 1, 2, 3 HAVING sum(events) <> 0 ORDER BY 1, 2, 3`,
  );
  expect(rollups).toEqual(fromEvents);
}

/**
 * Redis losing its data, as far as this file can see: every key under its own queue prefix is deleted (SCAN
 * and DEL, never FLUSHDB: other test runs on the machine share this Redis).
 */
async function loseQueueData() {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${api.config.queuePrefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

async function allPriced(total: number) {
  await waitFor(
    async () => (await count("pricing_status = 'pending'")) === 0 && (await count('true')) === total,
    60_000,
    'every event priced',
  );
}

beforeAll(async () => {
  api = await startTestApi({ REDIS_URL, INGEST_PRICING: 'worker' });
  probe = new DatabaseProbe(api.databaseUrl);
  const plan = await api.request('PUT', '/v1/plans/default', {
    name: 'Pro',
    currency: 'USD',
    included_usage: '1.00',
    effective_from: new Date(Date.now() - 86_400_000 * 40).toISOString(),
    charges: [
      { name: 'premium', models: ['*o3*', '*opus*'], mode: 'price', markup: '0.50', margin_floor: '0.30', allowance_eligible: false },
      { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20', allowance_eligible: true },
    ],
  });
  expect(plan.status).toBe(200);
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});

afterAll(async () => {
  await probe.close();
  await api.close();
});

describe('the pricing pipeline', () => {
  it('prices each event at its rate card and plan, exactly', async () => {
    const [e] = batch(1);
    Object.assign(e, {
      model: 'gpt-4o',
      provider: 'openai',
      usage: { input_tokens: 1000, cache_read_tokens: 400, output_tokens: 500, reasoning_tokens: 100 },
    });
    const total = (await count('true')) + 1;
    await api.request('POST', '/v1/events', { events: [e] }, api.ingestKey);
    workers.push(startWorker(workerEnv()));
    await allPriced(total);
    const res = await eventsOf(e.transaction_id);
    // gpt-4o (LiteLLM snapshot): input 0.0000025, cache read 0.00000125, output 0.00001 (reasoning at the output price)
    // 1000×0.0000025 + 400×0.00000125 + 500×0.00001 + 100×0.00001 = 0.0025 + 0.0005 + 0.005 + 0.001 = 0.009
    expect(res.body.data[0]).toMatchObject({
      pricing_status: 'priced',
      provider_cost: '0.009',
      rated_amount: '0.0117',
      charge: 'standard',
    });
    expect(res.body.data[0].rate_card_id).toEqual(expect.any(String));
  });

  it('leaves an event of an unknown model unpriced with the reason, and never drops it', async () => {
    const [e] = batch(1);
    Object.assign(e, { model: 'acme-llm-9000', provider: 'acme' });
    const total = (await count('true')) + 1;
    await api.request('POST', '/v1/events', { events: [e] }, api.ingestKey);
    workers.push(startWorker(workerEnv()));
    await allPriced(total);
    const res = await eventsOf(e.transaction_id);
    expect(res.body.data[0]).toMatchObject({ pricing_status: 'unpriced', provider_cost: null });
    expect(res.body.data[0].unpriced_reason).toMatch(/acme-llm-9000/);

    // the rate appears (a negotiated price): the event is priced, with no one re-sending it
    const override = await api.request('POST', '/v1/rates/overrides', {
      provider: 'acme',
      model: 'acme-llm-9000',
      prices: { input_tokens: '1', output_tokens: '2' },
      effective_from: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect(override.status).toBeLessThan(300);
    await waitFor(
      async () => (await count(`transaction_id = '${e.transaction_id}' AND pricing_status = 'priced'`)) === 1,
      30_000,
      'the unpriced event priced',
    );
    const priced = await eventsOf(e.transaction_id);
    // per million: 1 input, 2 output, reasoning at the output price
    const u = e.usage;
    const expected = (u.input_tokens * 1 + u.cache_read_tokens * 1 + (u.output_tokens + u.reasoning_tokens) * 2) / 1e6;
    expect(priced.body.data[0].provider_cost).toBe(String(expected));
  });

  it('never prices a call whose usage the SDK could not read: unpriced with the reason, though its model has a rate', async () => {
    // What the SDK sends for such a call: status usage_unknown and no usage (stored as the default one request).
    const [unknown, known] = batch(2);
    Object.assign(unknown, {
      model: 'gpt-4o',
      provider: 'openai',
      status: 'usage_unknown',
      usage: {},
      metadata: { usage_unknown: 'unreadable' },
    });
    Object.assign(known, { model: 'gpt-4o', provider: 'openai' });
    const total = (await count('true')) + 2;
    const res = await api.request<IngestBody>('POST', '/v1/events', { events: [unknown, known] }, api.ingestKey);
    expect(res.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    workers.push(startWorker(workerEnv()));
    await allPriced(total);
    const stored = (await eventsOf(unknown.transaction_id)).body.data[0];
    expect(stored).toMatchObject({
      status: 'usage_unknown',
      pricing_status: 'unpriced',
      provider_cost: null,
      rated_amount: null,
      charge: null,
    });
    expect(stored.unpriced_reason).toMatch(/usage unknown: .*status usage_unknown/);
    const other = (await eventsOf(known.transaction_id)).body.data[0];
    expect(other).toMatchObject({ pricing_status: 'priced', charge: 'standard' });
    await expectAggregatesMatchEvents();
  });

  it('prices every event exactly once with two workers at once', async () => {
    const before = await count('true');
    await ingest(20, 250);
    workers.push(startWorker(workerEnv()), startWorker(workerEnv()));
    await allPriced(before + 5000);
    await expectAggregatesMatchEvents();
    await expectRollupsMatchEvents(); // two workers' folders, each pricing write added once
  });

  it('recovers from a worker killed with kill -9 in the middle of pricing', async () => {
    const before = await count('true');
    await ingest(40, 1000);
    const first = startWorker(workerEnv());
    workers.push(first);
    await waitFor(async () => (await count(`pricing_status = 'priced'`)) > before + 2000, 60_000, 'some batches priced');
    await first.kill9();
    const pricedAtKill = await count(`pricing_status <> 'pending'`);
    expect(pricedAtKill).toBeLessThan(before + 40_000);
    await expectAggregatesMatchEvents(); // a batch cut off mid-transaction left nothing half-written
    // The killed worker's jobs keep their batches' one live job until BullMQ's stalled check frees them.
    workers.push(startWorker(workerEnv()));
    await allPriced(before + 40_000);
    await expectAggregatesMatchEvents();
    await expectRollupsMatchEvents(); // the killed worker's fold in flight, if any, added nothing
  }, 180_000); // 40,000 events and two worker starts: a minute is not always enough on a loaded 2-core machine

  it('prices what was left when Redis lost its data', async () => {
    const before = await count('true');
    await ingest(5, 200); // enqueued, but no worker is running
    await loseQueueData();
    workers.push(startWorker(workerEnv()));
    await allPriced(before + 1000);
    await expectAggregatesMatchEvents();
  });

  it('writing the same pricing twice changes nothing the second time', async () => {
    const totals = () => probe.rows('SELECT sum(events)::text AS n, sum(rated_amount)::text AS r FROM usage_aggregates');
    const before = await totals();
    const [row] = await probe.rows<PricedRow>(
      `SELECT e.id, e.batch_id, e.provider_cost::text, e.rated_amount::text, e.rate_card_id, e.charge, e.plan_version_id, e.period_start FROM events e WHERE pricing_status = 'priced' LIMIT 1`,
    );
    const repo = new PricingRepository(probe.pool);
    const again = await repo.writePriced(row.batch_id, (await repo.pricingGuard(row.batch_id))!, [
      {
        id: row.id,
        status: 'priced',
        reason: null,
        providerCost: row.provider_cost,
        ratedAmount: row.rated_amount,
        rateCardId: row.rate_card_id,
        charge: row.charge,
        planVersionId: row.plan_version_id,
        periodStart: row.period_start,
        periodEnd: new Date(row.period_start.getTime() + 31 * 86_400_000),
      },
    ]);
    expect(again).toEqual({ priced: 0, unpriced: 0 });
    expect(await totals()).toEqual(before);
  });
});

describe('live usage and the invoice preview', () => {
  it('groups priced usage and previews the invoice from the same amounts', async () => {
    const customer = 'pc-1';
    for (const groupBy of ['model', 'charge', 'day', 'task', 'feature']) {
      const res = await api.request<CustomerUsageBody>('GET', `/v1/customers/${customer}/usage?group_by=${groupBy}`);
      expect(res.status).toBe(200);
      const sum = res.body.groups.reduce((s, g) => s + BigInt(g.events), 0n);
      expect(Number(sum)).toBe(res.body.totals.events);
      expect(res.body.totals.events).toBeGreaterThan(0);
    }
    const byCharge = await api.request<CustomerUsageBody>('GET', `/v1/customers/${customer}/usage?group_by=charge`);
    const preview = await previewOf(customer);
    expect(preview.status).toBe(200);
    const usageLines = preview.body.lines.filter((l) => l.type === 'usage');
    expect(usageLines.map((l) => l.charge).sort()).toEqual(byCharge.body.groups.map((g) => g.key).sort());
    for (const line of usageLines) {
      const group = byCharge.body.groups.find((g) => g.key === line.charge)!;
      expect(line.provider_cost).toBe(group.provider_cost);
      expect(line.rated_amount).toBe(group.rated_amount);
    }
    const cents = (s: string) => BigInt(s.replace('.', ''));
    const lineSum = preview.body.lines.reduce((s, l) => s + cents(l.amount), 0n);
    expect(lineSum).toBe(cents(preview.body.subtotal));
    expect(preview.body.lines.some((l) => l.type === 'allowance')).toBe(true);
    expect((await api.request('GET', '/v1/customers/nobody/usage')).status).toBe(404);

    // the spending cap compares with the period's usage as invoiced (usage lines net of the allowance)
    const netUsage = preview.body.lines
      .filter((l) => l.type === 'usage' || l.type === 'allowance')
      .reduce((s, l) => s + cents(l.amount), 0n);
    expect(netUsage).toBeGreaterThan(0n);
    await api.request('PATCH', `/v1/customers/${customer}`, { spend_cap: '0.01' });
    const entitlement = () => api.request<EntitlementBody>('GET', `/v1/customers/${customer}/entitlement`, undefined, api.ingestKey);
    const blocked = await entitlement();
    expect(blocked.body).toMatchObject({ allowed: false, reason: 'spend_cap_reached', spend_cap: '0.01' });
    expect(cents(blocked.body.period_usage)).toBe(netUsage);
    await api.request('PATCH', `/v1/customers/${customer}`, { spend_cap: null });
    expect((await entitlement()).body.allowed).toBe(true);
    expect((await api.request('GET', `/v1/customers/${customer}/usage?group_by=colour`)).status).toBe(400);
  });

  it('reprices the period when the plan changes mid-period', async () => {
    workers.push(startWorker(workerEnv()));
    const res = await api.request('PUT', '/v1/plans/default', {
      name: 'Pro 2',
      currency: 'USD',
      charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1', margin_floor: null, allowance_eligible: true }],
    });
    expect(res.status).toBe(200);
    await waitFor(
      async () => (await count(`pricing_status = 'pending'`)) === 0 && (await count(`pricing_status = 'priced' AND charge <> 'all'`)) === 0,
      60_000,
      'repricing',
    );
    expect(await count(`pricing_status = 'priced' AND rated_amount <> provider_cost * 2`)).toBe(0);
    await expectAggregatesMatchEvents();
    const preview = await previewOf('pc-1');
    expect(preview.body.lines.filter((l) => l.type === 'usage').map((l) => l.charge)).toEqual(['all']);
  });
});
