import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DatabaseProbe, errorOf } from '@tollgate/testing';
import { startTestApi, type CustomerBody, type EntitlementBody, type IngestBody, type TestApi } from '@tollgate/testing/api-harness';
import { clientErrorHandler } from '../src/common/http-errors';

// Input the API must refuse in its error shape, never with a 500, never by rewriting it, never by losing a
// batch (issue "Hardening", items 1–5, 8 and 9), against the real api and Postgres.

let api: TestApi;
let probe: DatabaseProbe;
let seq = 0;
const id = (p = 'tx') => `${p}-${Date.now()}-${seq++}`;
const event = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_id: id(),
  external_customer_id: 'input-customer',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { input_tokens: 10, output_tokens: 5 },
  ...over,
});
const post = (events: unknown[]) => api.request<IngestBody>('POST', '/v1/events', { events }, api.ingestKey);
const storedCount = async (ids: unknown[]) => probe.count('events', 'transaction_id = ANY($1)', [ids.filter((i) => typeof i === 'string')]);

/** The API's error shape, and nothing else. */
function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(Object.keys(errorOf(res.body)).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
}

/** One raw HTTP/1.1 exchange, for requests fetch would not send as written. */
function raw(text: string): Promise<{ status: number; body: unknown }> {
  const u = new URL(api.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(rest.join('\r\n\r\n')) });
    });
  });
}
const auth = () => `authorization: Bearer ${api.adminKey}\r\n`;

beforeAll(async () => {
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
});
afterAll(async () => {
  await probe?.close();
  await api?.close();
});

describe('lone UTF-16 surrogates and U+0000 in events', () => {
  it('reject the event that holds them, by field, and store its batch siblings', async () => {
    const good = [event(), event()];
    const bad: [Record<string, unknown>, string][] = [
      [event({ metadata: { k: '\ud800' } }), 'metadata.k'],
      [event({ metadata: { ['k\udc00']: 'v' } }), 'metadata.k\udc00'],
      [event({ external_customer_id: 'x\udc00' }), 'external_customer_id'],
      [event({ transaction_id: `T\ud800-${id()}` }), 'transaction_id'],
      [event({ task_id: '\ud83d' }), 'task_id'],
      [event({ model: 'gpt\u0000' }), 'model'],
      [event({ metadata: { k: 'a\u0000' } }), 'metadata.k'],
    ];
    const res = await post([good[0], ...bad.map(([e]) => e), good[1]]);
    expect(res.status).toBe(200);
    const results = res.body.results;
    expect(results.map((r) => r.status)).toEqual(['accepted', ...bad.map(() => 'rejected'), 'accepted']);
    bad.forEach(([, field], i) => {
      expect(results[i + 1].error).toMatchObject({ code: 'invalid_event', details: [{ field, message: expect.any(String) }] });
    });
    expect(await storedCount(good.map((e) => e.transaction_id))).toBe(2);
    expect(await storedCount(bad.map(([e]) => e.transaction_id))).toBe(0);
  });

  it('are never rewritten to U+FFFD: an id with a lone surrogate is refused, not stored as another id', async () => {
    const base = `T-${id()}`;
    const res = await post([event({ transaction_id: `${base}\ud800` })]);
    expect(res.body.results[0].status).toBe('rejected');
    expect(await storedCount([`${base}\ufffd`, `${base}\ud800`])).toBe(0);
    expect((await post([event({ transaction_id: `${base}\ufffd` })])).body.results[0].status).toBe('accepted');
  });

  it('list every problem of an event, not only the first', async () => {
    const e = event({
      usage: { input_tokens: -1, thinking: 1 },
      cost: 0.5,
      status: 'ok',
      colour: 'red',
      timestamp: '2026-02-31T00:00:00Z',
    });
    delete e.model;
    const [result] = (await post([e])).body.results;
    expect(result.error?.details?.map((d) => d.field).sort()).toEqual([
      'colour',
      'cost',
      'model',
      'status',
      'timestamp',
      'usage.input_tokens',
      'usage.thinking',
    ]);
    expect(result.error?.message).toContain('model is required');
  });
});

describe('names and ids outside events', () => {
  it.each([
    ['POST', '/v1/customers', { external_id: 'c\ud800' }, 'external_id'],
    ['POST', '/v1/customers', { external_id: 'ok-1', name: 'Acme \udfff' }, 'name'],
    ['POST', '/v1/plans', { code: 'p1', name: 'Pro \ud800', currency: 'USD', charges: [{ name: 'all', models: ['*'] }] }, 'name'],
    ['POST', '/v1/api_keys', { scope: 'ingest', name: 'agents \ud800' }, 'name'],
    ['POST', '/v1/api_keys', { scope: 'ingest', name: 'agents\u0000' }, 'name'],
    ['POST', '/v1/organizations', { name: 'Org \udc00' }, 'name'],
    ['POST', '/v1/organizations', { name: 'Org\u0000' }, 'name'],
    ['PUT', '/v1/rates/aliases/chat', { provider: 'openai', model: 'gpt-4o\ud800' }, 'model'],
  ])('%s %s refuses a lone surrogate or U+0000 in %j', async (method, path, body, field) => {
    const res = await api.request(method, path, body);
    expectError(res, 400, 'invalid_request');
    expect(errorOf(res.body).details).toContainEqual({ field, message: expect.any(String) });
  });

  it('answers U+0000 in a path id, a query filter or a cursor with 400, never 500', async () => {
    for (const path of [
      '/v1/customers/a%00b',
      '/v1/customers/a%00b/usage',
      '/v1/customers/a%00b/invoices/preview',
      '/v1/plans/a%00b',
      '/v1/rates/syncs/a%00b',
    ]) {
      expectError(await api.request('GET', path), 400, 'invalid_request');
    }
    expectError(await api.request('GET', '/v1/customers/a%00b/entitlement', undefined, api.ingestKey), 400, 'invalid_request');
    expectError(await api.request('PATCH', '/v1/customers/a%00b', { name: 'x' }), 400, 'invalid_request');
    for (const q of ['external_customer_id=a%00b', 'transaction_id=a%00b', 'model=a%00b']) {
      expectError(await api.request('GET', `/v1/events?${q}`), 400, 'invalid_request');
    }
    const nulCursor = Buffer.from('a\u0000b').toString('base64url');
    expectError(await api.request('GET', `/v1/customers?cursor=${nulCursor}`), 400, 'invalid_request');
    expectError(await api.request('GET', `/v1/plans?cursor=${nulCursor}`), 400, 'invalid_request');
    expectError(
      await api.request('GET', `/v1/customers?cursor=${Buffer.from([0x61, 0xff]).toString('base64url')}`),
      400,
      'invalid_request',
    );
  });
});

describe('values Postgres cannot hold', () => {
  it.each([
    ['a spend_cap with 36 integer digits', 'POST', '/v1/customers', { external_id: 'big-cap', spend_cap: '1'.repeat(36) }, 'spend_cap'],
    [
      'a billing_anchor in year 0000',
      'POST',
      '/v1/customers',
      { external_id: 'year-zero', billing_anchor: '0000-01-01' },
      'billing_anchor',
    ],
    [
      'an override effective_from of −8.64e15 ms',
      'POST',
      '/v1/rates/overrides',
      { provider: 'acme', model: 'm', prices: { input_tokens: '1', output_tokens: '1' }, effective_from: -8.64e15 },
      'effective_from',
    ],
    [
      'an override price beyond 10^6 per million',
      'POST',
      '/v1/rates/overrides',
      { provider: 'acme', model: 'm', prices: { input_tokens: '1'.repeat(20), output_tokens: '1' } },
      'prices.input_tokens',
    ],
    [
      'a markup beyond +100,000%',
      'POST',
      '/v1/plans',
      { code: 'huge', name: 'Huge', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '1'.repeat(20) }] },
      'charges[0].markup',
    ],
  ])('refuses %s with 400', async (_label, method, path, body, field) => {
    const res = await api.request(method, path, body);
    expectError(res, 400, 'invalid_request');
    expect(errorOf(res.body).details).toContainEqual({ field, message: expect.any(String) });
  });

  it('refuses the same in a PATCH, and an events cursor above int64', async () => {
    await api.request('POST', '/v1/customers', { external_id: 'patch-me' });
    expectError(await api.request('PATCH', '/v1/customers/patch-me', { spend_cap: '9'.repeat(36) }), 400, 'invalid_request');
    expectError(await api.request('PATCH', '/v1/customers/patch-me', { billing_anchor: '0000-01-01' }), 400, 'invalid_request');
    expectError(
      await api.request('GET', `/v1/events?cursor=${Buffer.from('9223372036854775808').toString('base64url')}`),
      400,
      'invalid_request',
    );
    expectError(
      await api.request('GET', `/v1/events?cursor=${Buffer.from('99999999999999999999999').toString('base64url')}`),
      400,
      'invalid_request',
    );
  });
});

describe('ids of 255 characters', () => {
  it.each([
    ['ASCII', 'a'.repeat(255)],
    ['emoji', '😀'.repeat(255)],
  ])('reach every /v1/customers/{id} route (%s)', async (_label, externalId) => {
    expect((await api.request('POST', '/v1/customers', { external_id: externalId })).status).toBe(201);
    const path = `/v1/customers/${encodeURIComponent(externalId)}`;
    expect((await api.request<CustomerBody>('GET', path)).body.external_id).toBe(externalId);
    expect((await api.request<CustomerBody>('PATCH', path, { name: 'Long' })).body.name).toBe('Long');
    expect((await api.request('GET', `${path}/usage`)).status).toBe(200);
    expect((await api.request('GET', `${path}/invoices/preview`)).status).toBe(200);
    expect((await api.request<EntitlementBody>('GET', `${path}/entitlement`, undefined, api.ingestKey)).body.allowed).toBe(true);
  });

  it('and one character more is a 400 naming the id, not a 404', async () => {
    const res = await api.request('GET', `/v1/customers/${'a'.repeat(256)}`);
    expectError(res, 400, 'invalid_request');
    expect(errorOf(res.body).details).toEqual([{ field: 'id', message: 'must be at most 255 characters' }]);
  });
});

describe('errors sent before the request reaches a controller', () => {
  it('431: headers over 16 KiB', async () => {
    expectError(await raw(`GET /v1/plans HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large');
  });

  it('400: a path whose percent-encoding is not UTF-8 (FST_ERR_BAD_URL)', async () => {
    expectError(await raw(`GET /v1/customers/%ff%fe HTTP/1.1\r\nhost: x\r\n${auth()}connection: close\r\n\r\n`), 400, 'invalid_request');
    expectError(await raw(`GET /v1/events?model=%ff HTTP/1.1\r\nhost: x\r\n${auth()}connection: close\r\n\r\n`), 400, 'invalid_request');
  });

  it('400: not HTTP at all', async () => {
    expectError(await raw('HELLO\r\n\r\n'), 400, 'invalid_request');
  });

  it('413, 415 and invalid JSON', async () => {
    const body = (ct: string, b: string) =>
      `POST /v1/plans HTTP/1.1\r\nhost: x\r\n${auth()}content-type: ${ct}\r\ncontent-length: ${Buffer.byteLength(b)}\r\nconnection: close\r\n\r\n${b}`;
    expectError(
      await raw(
        `POST /v1/plans HTTP/1.1\r\nhost: x\r\n${auth()}content-type: application/json\r\ncontent-length: 99999999\r\nconnection: close\r\n\r\n{}`,
      ),
      413,
      'payload_too_large',
    );
    expectError(await raw(body('text/plain', '{}')), 415, 'unsupported_media_type');
    expectError(await raw(body('application/jsonxyz', '{}')), 415, 'unsupported_media_type');
    expectError(await raw(body('application/json; charset=latin1', '{}')), 415, 'unsupported_media_type');
    expectError(await raw(body('application/json', '{"code":')), 400, 'invalid_json');
    // The same body with the charset spelled out is JSON: it gets as far as the plan's own problems.
    const withCharset = await raw(body('application/json; charset=utf-8', '{}'));
    expectError(withCharset, 400, 'invalid_request');
    expect(errorOf(withCharset.body).details).toContainEqual({ field: 'code', message: 'is required' });
  });

  it('408: a request that never finishes arriving (the handler the api installs, on a server with a short timeout)', async () => {
    const server: Server = createServer({ requestTimeout: 300, connectionsCheckingInterval: 50 }, (_req, res) => res.end());
    server.on('clientError', clientErrorHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nhost: x\r\n'));
        const chunks: Buffer[] = [];
        socket.on('data', (d) => chunks.push(d));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(reply.split('\r\n\r\n')[1])).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
    } finally {
      server.close();
    }
  });
});

describe('strict parsing', () => {
  it('refuses an event without usage, and reads a null field as absent', async () => {
    const noUsage = event();
    delete noUsage.usage;
    const [refused, accepted] = (await post([noUsage, event({ task_id: null, metadata: null, cost: null })])).body.results;
    expect(refused.error?.details).toEqual([{ field: 'usage', message: 'is required' }]);
    expect(accepted.status).toBe('accepted');
  });

  it('refuses unknown top-level fields of POST /v1/events, storing nothing', async () => {
    const e = event();
    const res = await api.request('POST', '/v1/events', { events: [e], dry_run: true }, api.ingestKey);
    expectError(res, 400, 'invalid_request');
    expect(errorOf(res.body).details).toEqual([{ field: 'dry_run', message: 'is not a known field' }]);
    expect(await storedCount([e.transaction_id])).toBe(0);
  });

  it('refuses dates the calendar does not have and timestamps with trailing junk', async () => {
    expect((await post([event({ timestamp: '2026-02-31T00:00:00Z' })])).body.results[0].error?.details).toEqual([
      { field: 'timestamp', message: 'is not a calendar date' },
    ]);
    expectError(await api.request('GET', '/v1/events?from=2026-01-01junk'), 400, 'invalid_request');
    expectError(await api.request('GET', '/v1/customers/input-customer/usage?to=2026-02-31T00:00:00Z'), 400, 'invalid_request');
    expectError(await api.request('POST', '/v1/customers', { external_id: 'feb', billing_anchor: '2026-02-30' }), 400, 'invalid_request');
  });

  it('refuses unknown query parameters and a body where an operation takes none', async () => {
    const res = await api.request('GET', '/v1/customers?colour=red');
    expectError(res, 400, 'invalid_request');
    expect(errorOf(res.body).details).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    expectError(await api.request('GET', '/v1/customers/input-customer/entitlement?x=1', undefined, api.ingestKey), 400, 'invalid_request');
    expectError(
      await api.request('POST', '/v1/rates/syncs/00000000-0000-4000-8000-000000000000/approve', { force: true }),
      400,
      'invalid_request',
    );
    // An empty query value is the query string's null.
    expect((await api.request('GET', '/v1/customers?cursor=&limit=')).status).toBe(200);
  });
});
