import { createTestDatabase, DatabaseProbe, errorOf, TcpProxy, type TestDatabase, waitFor } from '@tollgate/testing';
import { startTestApi, type CreatedOrganizationBody, type ReadinessBody, type TestApi } from '@tollgate/testing/api-harness';

// GET /metrics behind METRICS_TOKEN and free of tenant data; GET /readyz naming the dependency that is down,
// never its error (docs/api.md, "Health and operations").

const TOKEN = 'metrics-scraper-0123456789';

describe('GET /metrics', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await api.close();
  });

  const scrape = (authorization?: string) => fetch(`${api.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers only the bearer of METRICS_TOKEN', async () => {
    for (const header of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${api.adminKey}`]) {
      const res = await scrape(header);
      expect(res.status).toBe(401);
      expect(errorOf(await res.json()).code).toBe('unauthorized');
    }
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/tollgate_events_total\{result="accepted"\}/);
  });

  it('counts the events the api priced as it stored them', async () => {
    const priced = async () =>
      Number(/^tollgate_events_priced_at_ingest_total (\d+)$/m.exec(await (await scrape(`Bearer ${TOKEN}`)).text())![1]);
    const event = (n: number) => ({
      transaction_id: `metrics-priced-${n}`,
      external_customer_id: 'metrics-known',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { input_tokens: 10, output_tokens: 2 },
    });
    // The first batch creates the customer (the worker prices it); the next ones are priced as stored.
    expect((await api.request('POST', '/v1/events', { events: [event(1)] }, api.ingestKey)).status).toBe(200);
    const before = await priced();
    expect((await api.request('POST', '/v1/events', { events: [event(2), event(3)] }, api.ingestKey)).status).toBe(200);
    expect(await priced()).toBe(before + 2);
  });

  it('shows no organisation, customer, key or path id in its labels', async () => {
    const org = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'tenant' });
    const key = org.body.admin_key as string;
    const ingested = await api.request(
      'POST',
      '/v1/events',
      {
        events: [
          {
            transaction_id: 'metrics-tenant-1',
            external_customer_id: 'secret-customer-42',
            provider: 'openai',
            model: 'gpt-4o',
            usage: { input_tokens: 10 },
          },
        ],
      },
      key,
    );
    expect(ingested.status).toBe(200);
    await api.request('GET', '/v1/customers/secret-customer-42/usage', undefined, key);
    await api.request('GET', '/v1/no-such-route/secret-customer-42', undefined, key);
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const probe = new DatabaseProbe(api.databaseUrl);
    try {
      const ids = await probe.rows<{ id: string }>(
        `SELECT id::text AS id FROM organizations UNION ALL SELECT id::text FROM customers UNION ALL SELECT id::text FROM api_keys`,
      );
      for (const { id } of ids) expect(text).not.toContain(id);
    } finally {
      await probe.close();
    }
    expect(text).not.toContain('secret-customer-42');
    expect(text).toMatch(/route="\/v1\/customers\/:id\/usage"/);
  });
});

describe('GET /readyz', () => {
  let db: TestDatabase;
  let pg: TcpProxy;
  let redis: TcpProxy;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new TcpProxy('127.0.0.1', 5432);
    redis = new TcpProxy('127.0.0.1', 6379);
    const url = new URL(db.url);
    url.port = String(await pg.start());
    api = await startTestApi({ DATABASE_URL: url.toString(), REDIS_URL: `redis://127.0.0.1:${await redis.start()}` });
  });
  afterAll(async () => {
    await api.close();
    await pg.close();
    await redis.close();
    await db.drop();
  });

  const ready = () => api.request<ReadinessBody>('GET', '/readyz');

  it('says which dependency is down, never its error, then ready again', async () => {
    expect(await ready()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok', migrations: 'ok' } },
    });
    await pg.cut();
    expect(await ready()).toMatchObject({
      status: 503,
      body: { status: 'not_ready', checks: { postgres: 'down', redis: 'ok', migrations: 'unknown' } },
    });
    const whole = await ready();
    expect(Object.keys(whole.body)).toEqual(['status', 'checks']);
    expect(JSON.stringify(whole.body)).not.toMatch(/ECONN|terminated|timeout|127\.0\.0\.1|5432/i);
    await pg.restore();
    await redis.cut();
    await waitFor(async () => (await ready()).body.checks?.redis === 'down', 10_000, 'redis down');
    expect(await ready()).toMatchObject({
      status: 503,
      body: { status: 'not_ready', checks: { postgres: 'ok', redis: 'down', migrations: 'ok' } },
    });
    await redis.restore();
    await waitFor(async () => (await ready()).status === 200, 20_000, 'ready again');
  });
});
