import { DatabaseProbe, freePort, startWorker, waitFor, type WorkerProcess } from '@tollgate/testing';
import { startTestApi, type EventListBody, type InvoicePreviewBody, type TestApi } from '@tollgate/testing/api-harness';

// The real api and a real worker process: a batch that keeps failing is quarantined (visible on GET
// /v1/events and the worker's /metrics) and retried by an admin; moving a customer between yearly plans
// reprices the whole year. Events up to a year old are accepted here so that a year has several months of usage.

const DAY = 86_400_000;
let api: TestApi;
let probe: DatabaseProbe;
let worker: WorkerProcess;
let metricsPort: number;
let seq = 0;

const event = (customer: string, at = Date.now() - 1000) => ({
  transaction_id: `ops-${seq++}`,
  external_customer_id: customer,
  provider: 'openai',
  model: 'gpt-4o',
  timestamp: at,
  usage: { input_tokens: 1000, output_tokens: 100 },
});
const plan = (code: string, interval: 'month' | 'year', charge: string, markup: string) => ({
  code,
  name: code,
  currency: 'USD',
  interval,
  charges: [{ name: charge, models: ['*'], mode: 'price', markup, margin_floor: null, allowance_eligible: true }],
});
const listEvents = (query: string) => api.request<EventListBody>('GET', `/v1/events?${query}`);
const eventOf = async (transactionId: string) => (await listEvents(`transaction_id=${transactionId}`)).body.data[0];

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

const metric = (text: string, name: string) => Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);

beforeAll(async () => {
  api = await startTestApi({ EVENT_BACKFILL_DAYS: '365' });
  probe = new DatabaseProbe(api.databaseUrl);
  metricsPort = await freePort();
  worker = startWorker({
    DATABASE_URL: api.databaseUrl,
    QUEUE_PREFIX: api.config.queuePrefix,
    PRICE_MAX_ATTEMPTS: '2',
    HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(metricsPort),
    SWEEP_INTERVAL_SECONDS: '1',
    RATE_POLL_SECONDS: '1',
  });
  await waitFor(
    async () =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    `the worker's metrics\n${worker.output()}`,
  );
});

afterAll(async () => {
  await worker?.stop();
  await probe?.close();
  await api?.close();
});

describe('a batch whose pricing keeps failing', () => {
  it('is quarantined with its reason, counted on /metrics, never in the way of other batches', async () => {
    expect((await api.request('POST', '/v1/plans', plan('fragile', 'month', 'all', '0.25'))).status).toBe(201);
    expect((await api.request('POST', '/v1/customers', { external_id: 'on-fragile', plan_code: 'fragile' })).status).toBe(201);
    // A stored plan that no longer validates: pricing its customer's batches fails the same way every time.
    await probe.rows(`UPDATE plans SET definition = definition - 'charges' WHERE code = 'fragile'`);

    const bad = event('on-fragile');
    const good = event('on-default');
    await api.request('POST', '/v1/events', { events: [bad] }, api.ingestKey);
    await api.request('POST', '/v1/events', { events: [good] }, api.ingestKey);
    await waitFor(async () => (await eventOf(bad.transaction_id)).pricing_status === 'unpriced', 30_000, 'the failing batch quarantined');

    expect(await eventOf(bad.transaction_id)).toMatchObject({
      pricing_status: 'unpriced',
      unpriced_reason: expect.stringMatching(
        /^quarantined after 2 failed pricing attempts \(POST \/v1\/events\/quarantine\/retry retries it\): stored plan fragile v1 is not valid/,
      ),
    });
    await waitFor(async () => (await eventOf(good.transaction_id)).pricing_status === 'priced', 30_000, 'the other batch priced');
    const unpriced = await listEvents('pricing_status=unpriced');
    expect(unpriced.body.data.map((e) => e.transaction_id)).toEqual([bad.transaction_id]);
    // Every failed attempt was logged (the failed handler), the quarantine too.
    expect(worker.output()).toMatch(/pricing a batch failed/);
    expect(worker.output()).toMatch(/batch quarantined/);

    const text = await scrape();
    expect(metric(text, 'tollgate_quarantined_batches')).toBe(1);
    expect(metric(text, 'tollgate_worker_events_total{outcome="quarantined"}')).toBe(1);
    expect(metric(text, 'tollgate_worker_events_total{outcome="priced"}')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'tollgate_event_priced_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'tollgate_price_queue_jobs{state="waiting"}')).toBe(0);

    // Stays quarantined: the sweeper (every second here) does not bring it back.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await eventOf(bad.transaction_id)).pricing_status).toBe('unpriced');
  });

  it('is priced once an admin fixes the cause and retries the quarantined batches', async () => {
    await probe.rows(`UPDATE plans SET definition = $1 WHERE code = 'fragile'`, [JSON.stringify(plan('fragile', 'month', 'all', '0.25'))]);
    expect((await api.request('POST', '/v1/events/quarantine/retry', {}, api.ingestKey)).status).toBe(403);
    const retried = await api.request('POST', '/v1/events/quarantine/retry');
    expect(retried).toMatchObject({ status: 200, body: { batches: 1, events: 1 } });
    const bad = (await listEvents('external_customer_id=on-fragile')).body.data[0].transaction_id;
    await waitFor(async () => (await eventOf(bad)).pricing_status === 'priced', 30_000, 'the retried batch priced');
    expect(await eventOf(bad)).toMatchObject({ charge: 'all', provider_cost: '0.0035', rated_amount: '0.004375' });
    expect(metric(await scrape(), 'tollgate_quarantined_batches')).toBe(0);
    // The worker's folder adds it to the analytics rollups on its own (no report asked).
    await waitFor(async () => metric(await scrape(), 'tollgate_rollup_pending_writes') === 0, 30_000, 'the rollups folded');
    expect(metric(await scrape(), 'tollgate_rollup_pending_oldest_seconds')).toBe(0);
    const [rolled] = await probe.rows<{ events: string; cost: string }>(
      `SELECT sum(events)::text AS events, trim_scale(sum(provider_cost))::text AS cost FROM analytics_periods WHERE charge = 'all'`,
    );
    expect(rolled).toEqual({ events: '1', cost: '0.0035' });
    expect(Object.keys((await api.request<{ paths: Record<string, unknown> }>('GET', '/docs-json')).body.paths)).toContain(
      '/v1/events/quarantine/retry',
    );
  });
});

describe("the worker's entitlement refresher", () => {
  it('brings the usage a batch priced into the cached entitlement, and reports its backlog on /metrics', async () => {
    expect((await api.request('POST', '/v1/plans', plan('metered', 'month', 'all', '0.25'))).status).toBe(201);
    expect((await api.request('POST', '/v1/customers', { external_id: 'metered', plan_code: 'metered' })).status).toBe(201);
    // The first read computes and caches it (and gives the customer a wallet: pricing marks it from now on).
    expect((await api.request('GET', '/v1/customers/metered/entitlement', undefined, api.ingestKey)).status).toBe(200);
    const cached = async () =>
      (
        await probe.rows<{ usage: string }>(
          `SELECT trim_scale(e.period_usage)::text AS usage FROM customer_entitlements e JOIN customers c ON c.id = e.customer_id
           WHERE c.external_id = 'metered'`,
        )
      )[0].usage;
    expect(await cached()).toBe('0');

    const sent = { ...event('metered'), usage: { input_tokens: 10_000_000, output_tokens: 0 } };
    await api.request('POST', '/v1/events', { events: [sent] }, api.ingestKey);
    await waitFor(async () => (await eventOf(sent.transaction_id)).pricing_status === 'priced', 30_000, 'the batch priced');
    // The cached row stays fresh (no credit or invoice changed): only the refresher's round puts the usage in it.
    const [{ cents }] = await probe.rows<{ cents: string }>(`SELECT trim_scale(round($1::numeric, 2))::text AS cents`, [
      (await eventOf(sent.transaction_id)).rated_amount,
    ]);
    expect(cents).not.toBe('0');
    await waitFor(async () => (await cached()) === cents, 30_000, 'the entitlement refreshed');
    await waitFor(async () => metric(await scrape(), 'tollgate_entitlement_refresh_pending') === 0, 30_000, 'no refresh waiting');
    expect(metric(await scrape(), 'tollgate_entitlement_refresh_oldest_seconds')).toBe(0);
  });
});

describe('moving a customer from a yearly plan to another', () => {
  it('reprices every month of the year, and the preview and the entitlement answer', async () => {
    await api.request('POST', '/v1/plans', plan('year-a', 'year', 'a', '0.5'));
    await api.request('POST', '/v1/plans', plan('year-b', 'year', 'b', '1'));
    // Its yearly period began 100 days ago; two months back is an earlier month of it.
    const anchor = new Date(Date.now() - 100 * DAY).toISOString().slice(0, 10);
    await api.request('POST', '/v1/customers', { external_id: 'yearly', plan_code: 'year-a', billing_anchor: anchor });
    await api.request(
      'POST',
      '/v1/events',
      { events: [event('yearly', Date.now() - 60 * DAY), event('yearly', Date.now() - DAY)] },
      api.ingestKey,
    );
    const charges = async () => (await listEvents('external_customer_id=yearly')).body.data.map((e) => e.charge);
    await waitFor(async () => (await charges()).join() === 'a,a', 30_000, 'priced on year-a');

    expect((await api.request('PATCH', '/v1/customers/yearly', { plan_code: 'year-b' })).status).toBe(200);
    await waitFor(async () => (await charges()).join() === 'b,b', 30_000, 'both events repriced on year-b');
    const preview = await api.request<InvoicePreviewBody>('GET', '/v1/customers/yearly/invoices/preview');
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ plan_code: 'year-b', period_start: `${anchor}T00:00:00.000Z` });
    expect(preview.body.lines.filter((l) => l.type === 'usage')).toEqual([expect.objectContaining({ charge: 'b', events: 2 })]);
    const entitlement = await api.request('GET', '/v1/customers/yearly/entitlement', undefined, api.ingestKey);
    expect(entitlement).toMatchObject({ status: 200, body: { allowed: true } });
  });
});
