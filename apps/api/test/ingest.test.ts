import { createTestDatabase, DatabaseProbe, errorOf, TcpProxy, type JsonResponse, type TestDatabase } from '@tollgate/testing';
import {
  startTestApi,
  type CreatedApiKeyBody,
  type CreatedOrganizationBody,
  type EventListBody,
  type IngestBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

// POST /v1/events against the real api, Postgres and Redis (docs/api.md, "Events").

let api: TestApi;
let seq = 0;
const id = (p = 'tx') => `${p}-${Date.now()}-${seq++}`;
/** An event as sent: the defaults below, changed or added to by `over` (no test gives a non-string id). */
type SentEvent = { transaction_id: string; usage: Record<string, unknown>; [field: string]: unknown };
const event = (over: Record<string, unknown> = {}): SentEvent => ({
  transaction_id: id(),
  external_customer_id: 'cust-1',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { input_tokens: 1200, output_tokens: 300, cache_read_tokens: 800 },
  ...over,
});
const post = (events: unknown, key?: string) => api.request<IngestBody>('POST', '/v1/events', { events }, key ?? api.ingestKey);
const listEvents = (query: string, key?: string) => api.request<EventListBody>('GET', `/v1/events?${query}`, undefined, key);

let probe: DatabaseProbe;
/** The columns of `events` these tests read (pg returns bigint as a string). */
interface EventRow {
  customer_id: string;
  requests: string;
  output_tokens: string;
  timestamp_provided: boolean;
  occurred_at: Date;
}
const stored = (where: string, values: unknown[]) => probe.rows<EventRow>(`SELECT * FROM events WHERE ${where}`, values);

beforeAll(async () => {
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
});
afterAll(async () => {
  await probe.close();
  await api.close();
});

describe('accepting events', () => {
  it('stores every dimension, attribution field and metadata, and creates the unknown customer', async () => {
    const e = event({
      external_customer_id: 'new-customer',
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      usage: {
        input_tokens: 1,
        cache_read_tokens: 2,
        cache_write_tokens: 3,
        cache_write_1h_tokens: 4,
        output_tokens: 5,
        reasoning_tokens: 6,
        audio_input_tokens: 7,
        audio_output_tokens: 8,
        images: 9,
        web_searches: 10,
        requests: 11,
      },
      cost: '0.0000000208333333333333',
      task_id: 'task-9',
      trace_id: 'trace-9',
      session_id: 'sess-9',
      feature: 'search',
      status: 'error',
      retry_of: 'tx-earlier',
      metadata: { team: 'growth', region: 'eu' },
    });
    const res = await post([e]);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([{ transaction_id: e.transaction_id, status: 'accepted' }]);

    const list = await listEvents(`transaction_id=${encodeURIComponent(e.transaction_id)}`);
    expect(list.body.data).toHaveLength(1);
    const got = list.body.data[0];
    expect(got).toMatchObject({
      transaction_id: e.transaction_id,
      external_customer_id: 'new-customer',
      timestamp: e.timestamp,
      provider: 'openai',
      model: 'gpt-4o',
      usage: e.usage,
      cost: '0.0000000208333333333333',
      task_id: 'task-9',
      trace_id: 'trace-9',
      session_id: 'sess-9',
      feature: 'search',
      status: 'error',
      retry_of: 'tx-earlier',
      metadata: e.metadata,
      pricing_status: 'pending',
    });
    const customers = await stored('external_customer_id = $1', ['new-customer']);
    expect(customers[0].customer_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('defaults requests to 1 and the timestamp to the time received', async () => {
    const before = Date.now();
    const e = event({ usage: { input_tokens: 10, output_tokens: 2 } });
    await post([e]);
    const [row] = await stored('transaction_id = $1', [e.transaction_id]);
    expect(row.requests).toBe('1');
    expect(row.timestamp_provided).toBe(false);
    expect(row.occurred_at.getTime()).toBeGreaterThanOrEqual(before - 5);
  });

  it('accepts a 1,000-event batch and stores all of it', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => event({ external_customer_id: `bulk-${i % 7}` }));
    const res = await post(events);
    expect(res.status).toBe(200);
    expect(res.body.results.filter((r) => r.status === 'accepted')).toHaveLength(1000);
    const rows = await stored('transaction_id = ANY($1)', [events.map((e) => e.transaction_id)]);
    expect(rows).toHaveLength(1000);
  });

  it('accepts Unicode ids and keeps them exact', async () => {
    const e = event({ transaction_id: `tx-🚀-日本語-${id()}`, external_customer_id: 'клиент-✓' });
    const res = await post([e]);
    expect(res.body.results[0]).toEqual({ transaction_id: e.transaction_id, status: 'accepted' });
    const list = await listEvents(`external_customer_id=${encodeURIComponent('клиент-✓')}`);
    expect(list.body.data.map((x) => x.transaction_id)).toEqual([e.transaction_id]);
  });

  it('counts a 255-character id in characters, not bytes', async () => {
    const long = '日'.repeat(255);
    const tooLong = '日'.repeat(256);
    const res = await post([event({ transaction_id: long }), event({ transaction_id: tooLong })]);
    expect(res.body.results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
  });
});

describe('idempotency', () => {
  it('answers a same-content retry with duplicate and a changed one with transaction_id_conflict', async () => {
    const e = event({ timestamp: Date.now() - 1000 });
    expect((await post([e])).body.results[0].status).toBe('accepted');
    // the same instant written differently, and fields in another order, are the same content
    const same = {
      ...e,
      timestamp: new Date(e.timestamp as number).toISOString(),
      usage: { cache_read_tokens: 800, output_tokens: 300, input_tokens: 1200 },
    };
    expect((await post([same])).body.results[0]).toEqual({ transaction_id: e.transaction_id, status: 'duplicate' });
    const changed = { ...e, usage: { ...e.usage, output_tokens: 301 } };
    const res = await post([changed]);
    expect(res.body.results[0]).toMatchObject({
      transaction_id: e.transaction_id,
      status: 'rejected',
      error: { code: 'transaction_id_conflict' },
    });
    const rows = await stored('transaction_id = $1', [e.transaction_id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].output_tokens).toBe('300');
  });

  it('matches an omitted timestamp with an omitted one, whatever time the server filled in', async () => {
    const e = event();
    await post([e]);
    await new Promise((r) => setTimeout(r, 20));
    expect((await post([e])).body.results[0].status).toBe('duplicate');
    expect((await post([{ ...e, timestamp: Date.now() }])).body.results[0].error?.code).toBe('transaction_id_conflict');
  });

  it('handles the same id twice within one request', async () => {
    const e = event();
    const res = await post([e, e, { ...e, model: 'gpt-4o-mini' }]);
    expect(res.body.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'rejected']);
  });

  it('stores an id exactly once when requests race with it', async () => {
    const events = Array.from({ length: 200 }, () => event());
    const replies = await Promise.all(Array.from({ length: 8 }, () => post(events)));
    for (const r of replies) expect(r.status).toBe(200);
    for (let i = 0; i < events.length; i++) {
      const statuses = replies.map((r) => r.body.results[i].status).sort();
      expect(statuses).toEqual(['accepted', ...Array(7).fill('duplicate')]);
    }
    expect(await stored('transaction_id = ANY($1)', [events.map((e) => e.transaction_id)])).toHaveLength(200);
    const batches = await probe.rows<{ n: number }>(
      'SELECT count(DISTINCT batch_id)::int AS n FROM events WHERE transaction_id = ANY($1)',
      [events.map((e) => e.transaction_id)],
    );
    expect(batches[0].n).toBeGreaterThanOrEqual(1);
  });
});

describe('rejecting bad events one by one', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a negative token count', { usage: { input_tokens: -1, output_tokens: 1 } }, 'invalid_event'],
    ['a fractional token count', { usage: { input_tokens: 1.5, output_tokens: 1 } }, 'invalid_event'],
    ['a token count over 10^12', { usage: { input_tokens: 1e12 + 1, output_tokens: 1 } }, 'invalid_event'],
    ['a token count given as a string', { usage: { input_tokens: '10' } }, 'invalid_event'],
    ['an unknown usage key', { usage: { input_tokens: 1, thinking_tokens: 5 } }, 'invalid_event'],
    ['an unknown field', { colour: 'blue' }, 'invalid_event'],
    ['a timestamp more than 5 minutes ahead', { timestamp: new Date(Date.now() + 6 * 60_000).toISOString() }, 'timestamp_out_of_range'],
    ['a timestamp older than 35 days', { timestamp: Date.now() - 36 * 86_400_000 }, 'timestamp_out_of_range'],
    ['a timestamp that is not RFC 3339', { timestamp: 'yesterday' }, 'invalid_event'],
    ['metadata over 4 KiB', { metadata: { blob: 'x'.repeat(4100) } }, 'invalid_event'],
    ['metadata with 33 keys', { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'invalid_event'],
    ['metadata that is not all strings', { metadata: { n: 1 } }, 'invalid_event'],
    ['a missing model', { model: undefined }, 'invalid_event'],
    ['a cost given as a number', { cost: 0.01 }, 'invalid_event'],
    ['a bad status', { status: 'ok' }, 'invalid_event'],
    ['a string with U+0000', { feature: 'a\u0000b' }, 'invalid_event'],
    ['an empty transaction_id', { transaction_id: '' }, 'invalid_event'],
  ];
  it.each(cases)('rejects %s and stores nothing of it', async (_, over, code) => {
    const e = event(over);
    const res = await post([e]);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code } });
    expect(res.body.results[0].error?.message).toEqual(expect.any(String));
    if (typeof e.transaction_id === 'string' && e.transaction_id) {
      expect(await stored('transaction_id = $1', [e.transaction_id])).toHaveLength(0);
    }
  });

  it('accepts the valid events of a mixed batch and rejects the others, in request order', async () => {
    const good1 = event(),
      good2 = event();
    const bad = event({ usage: { input_tokens: -5 } });
    const res = await post([good1, bad, good2]);
    expect(res.body.results.map((r) => [r.transaction_id, r.status])).toEqual([
      [good1.transaction_id, 'accepted'],
      [bad.transaction_id, 'rejected'],
      [good2.transaction_id, 'accepted'],
    ]);
    expect(await stored('transaction_id = ANY($1)', [[good1, bad, good2].map((e) => e.transaction_id)])).toHaveLength(2);
  });
});

describe('rejecting bad requests whole', () => {
  it('rejects 1,001 events with 400 and stores none', async () => {
    const events = Array.from({ length: 1001 }, () => event());
    const res = await post(events);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('invalid_request');
    expect(await stored('transaction_id = $1', [events[0].transaction_id])).toHaveLength(0);
  });

  it('rejects an empty list and a body of the wrong shape', async () => {
    expect((await post([])).status).toBe(400);
    expect(errorOf((await api.request('POST', '/v1/events', { event: [] }, api.ingestKey)).body).code).toBe('invalid_request');
    expect(errorOf((await api.request('POST', '/v1/events', { events: [event(), 'x'] }, api.ingestKey)).body).code).toBe('invalid_request');
  });

  it('rejects a body over 2 MiB with 413', async () => {
    const big = Array.from({ length: 600 }, () => event({ metadata: { pad: 'x'.repeat(3900) } }));
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(errorOf(res.body).code).toBe('payload_too_large');
    expect(await stored('transaction_id = $1', [big[0].transaction_id])).toHaveLength(0);
  });

  it('rejects malformed JSON, invalid UTF-8 and nesting deeper than 64 with invalid_json', async () => {
    expect(errorOf((await api.request('POST', '/v1/events', '{"events": [', api.ingestKey)).body).code).toBe('invalid_json');
    const badUtf8 = Buffer.concat([Buffer.from('{"events": [{"transaction_id": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]);
    const res = await fetch(api.baseUrl + '/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${api.ingestKey}`, 'content-type': 'application/json' },
      body: badUtf8,
    });
    expect(res.status).toBe(400);
    expect(errorOf(await res.json()).code).toBe('invalid_json');
    const deep = '{"events": [{"metadata": ' + '['.repeat(70) + ']'.repeat(70) + '}]}';
    const d = await api.request('POST', '/v1/events', deep, api.ingestKey);
    expect(d.status).toBe(400);
    expect(errorOf(d.body).code).toBe('invalid_json');
  });
});

describe('keys', () => {
  it('answers a wrong or missing key with 401 and a wrong scope with 403', async () => {
    expect((await post([event()], 'tg_ingest_not-a-key')).status).toBe(401);
    const res = await fetch(api.baseUrl + '/v1/events', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(errorOf(await res.json()).code).toBe('unauthorized');
    const list = await api.request('GET', '/v1/events', undefined, api.ingestKey);
    expect(list.status).toBe(403);
    expect(errorOf(list.body).code).toBe('forbidden');
  });

  it("never shows one organisation's events to another's key", async () => {
    const org = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'other' });
    expect(org.status).toBe(201);
    const otherIngest = await api.request<CreatedApiKeyBody>('POST', '/v1/api_keys', { scope: 'ingest', name: 'i' }, org.body.admin_key);
    const e = event();
    await post([e]);
    // the same transaction_id in another organisation is a different event
    expect((await post([{ ...e, model: 'other' }], otherIngest.body.key)).body.results[0].status).toBe('accepted');
    const mine = await listEvents(`transaction_id=${e.transaction_id}`);
    const theirs = await listEvents(`transaction_id=${e.transaction_id}`, org.body.admin_key);
    expect(mine.body.data.map((x) => x.model)).toEqual(['gpt-4o']);
    expect(theirs.body.data.map((x) => x.model)).toEqual(['other']);
    // a non-operator admin key may not create organisations
    expect((await api.request('POST', '/v1/organizations', { name: 'x' }, org.body.admin_key)).status).toBe(403);
  });
});

describe('GET /v1/events', () => {
  it('pages through events in stored order without skipping or repeating, while new ones arrive', async () => {
    const customer = `pager-${id()}`;
    const first = Array.from({ length: 25 }, () => event({ external_customer_id: customer }));
    await post(first);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: JsonResponse<EventListBody> = await listEvents(
        `external_customer_id=${customer}&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.data.map((x) => x.transaction_id));
      cursor = res.body.next_cursor;
      if (page++ === 0) await post(Array.from({ length: 5 }, () => event({ external_customer_id: customer })));
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen.slice(0, 25).sort()).toEqual(first.map((e) => e.transaction_id).sort());
  });

  it('filters by time, model and pricing status, and refuses bad filters', async () => {
    const customer = `filters-${id()}`;
    const t = Date.now() - 3_600_000;
    await post([
      event({ external_customer_id: customer, timestamp: t, model: 'a' }),
      event({ external_customer_id: customer, timestamp: t + 60_000, model: 'b' }),
    ]);
    const from = new Date(t + 1).toISOString();
    const res = await listEvents(`external_customer_id=${customer}&from=${from}`);
    expect(res.body.data.map((x) => x.model)).toEqual(['b']);
    expect((await listEvents(`external_customer_id=${customer}&model=a`)).body.data).toHaveLength(1);
    expect((await listEvents(`external_customer_id=${customer}&pricing_status=pending`)).body.data.length).toBeGreaterThan(0);
    expect((await api.request('GET', '/v1/events?pricing_status=done')).status).toBe(400);
    expect((await api.request('GET', '/v1/events?limit=1001')).status).toBe(400);
    expect((await api.request('GET', '/v1/events?cursor=%%%')).status).toBe(400);
    expect((await api.request('GET', '/v1/events?from=soon')).status).toBe(400);
  });
});

describe('operations', () => {
  it('serves healthz, readyz, metrics and the OpenAPI document', async () => {
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    const ready = await api.request('GET', '/readyz');
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', migrations: 'ok', redis: 'ok' } });
    const metrics = await api.request('GET', '/metrics');
    expect(metrics.body).toMatch(/tollgate_events_total\{result="accepted"\} [1-9]/);
    expect(metrics.body).toMatch(/tollgate_events_total\{result="rejected"\} [1-9]/);
    expect(metrics.body).toMatch(/tollgate_http_request_duration_seconds_bucket/);
    const docs = await api.request<{ paths: Record<string, unknown> }>('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/api_keys', '/v1/organizations']));
    expect((await fetch(api.baseUrl + '/docs')).status).toBe(200);
  });

  it('answers 429 with Retry-After when a key sends too fast', async () => {
    const limited = await startTestApi({ RATE_LIMIT_PER_SECOND: '2' });
    try {
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => limited.request('POST', '/v1/events', { events: [event()] }, limited.ingestKey)),
      );
      const throttled = replies.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(errorOf(throttled[0].body).code).toBe('rate_limited');
      expect(Number(throttled[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});

describe('Postgres outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let down: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = new TcpProxy('127.0.0.1', 5432);
    const port = await proxy.start();
    const url = new URL(db.url);
    url.host = `127.0.0.1:${port}`;
    down = await startTestApi({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await down.close();
    await proxy.close();
    await db.drop();
  });

  it('answers 503 with Retry-After and stores nothing, then accepts again once Postgres is back', async () => {
    const events = Array.from({ length: 50 }, () => event({ external_customer_id: `outage-${id()}` }));
    await proxy.cut();
    const res = await down.request('POST', '/v1/events', { events }, down.ingestKey);
    expect(res.status).toBe(503);
    expect(errorOf(res.body).code).toBe('unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const ready = await down.request('GET', '/readyz');
    expect(ready.status).toBe(503);

    const direct = new DatabaseProbe(db.url);
    try {
      expect(await direct.count('events')).toBe(0);
      expect(await direct.count('customers', "external_id LIKE 'outage-%'")).toBe(0);
      await proxy.restore();
      const again = await down.request<IngestBody>('POST', '/v1/events', { events }, down.ingestKey);
      expect(again.status).toBe(200);
      expect(again.body.results.every((r) => r.status === 'accepted')).toBe(true);
      expect(await direct.count('events')).toBe(50);
    } finally {
      await direct.close();
    }
  });
});
