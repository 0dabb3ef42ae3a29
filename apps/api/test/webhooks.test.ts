import { errorOf, type JsonResponse } from '@tollgate/testing';
import {
  startTestApi,
  type CreatedOrganizationBody,
  type CreatedWebhookEndpointBody,
  type CustomerBody,
  type TestApi,
  type UsageAlertsBody,
  type WebhookEndpointBody,
  type WebhookEndpointListBody,
} from '@tollgate/testing/api-harness';

// Webhook endpoints, deliveries and usage alerts per docs/api.md, against the real api and Postgres. Deliveries
// themselves (sent by the worker) are tested in apps/worker/test/webhooks.test.ts.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const endpoint = (over: Record<string, unknown> = {}) => ({
  url: 'https://hooks.example.com/tollgate',
  events: ['invoice.finalized', 'usage.threshold_crossed'],
  ...over,
});
const createEndpoint = (body: unknown) => api.request<CreatedWebhookEndpointBody>('POST', '/v1/webhook_endpoints', body);
const listEndpoints = (query = '', key?: string) =>
  api.request<WebhookEndpointListBody>('GET', `/v1/webhook_endpoints${query}`, undefined, key);

describe('webhook endpoints', () => {
  it('creates an endpoint and shows its secret once; lists and reads never show it', async () => {
    const created = await createEndpoint(endpoint({ description: 'billing alerts' }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.com/tollgate',
      description: 'billing alerts',
      events: ['invoice.finalized', 'usage.threshold_crossed'],
      status: 'enabled',
      created_at: expect.any(String),
      disabled_at: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    const got = await api.request('GET', `/v1/webhook_endpoints/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    const list = await listEndpoints();
    expect(list.body.data.find((e) => e.id === created.body.id)).toEqual(got.body);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    // Every endpoint its own secret.
    const other = await createEndpoint(endpoint());
    expect(other.body.secret).not.toBe(created.body.secret);
  });

  it("takes localhost and plain http (a receiver on the operator's own machine)", async () => {
    const created = await createEndpoint(endpoint({ url: 'http://127.0.0.1:8080/hooks', events: ['invoice.paid', 'invoice.paid'] }));
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual(['invoice.paid']);
    expect((await api.request('POST', '/v1/webhook_endpoints', endpoint({ url: 'http://localhost/hooks' }))).status).toBe(201);
  });

  it('pages in creation order', async () => {
    const all = (await listEndpoints()).body.data.map((e) => e.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: JsonResponse<WebhookEndpointListBody> = await listEndpoints(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('disables an endpoint on DELETE, once, and keeps it readable', async () => {
    const created = await createEndpoint(endpoint());
    const deleted = await api.request<WebhookEndpointBody>('DELETE', `/v1/webhook_endpoints/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: created.body.id, status: 'disabled', disabled_at: expect.any(String) });
    const again = await api.request<WebhookEndpointBody>('DELETE', `/v1/webhook_endpoints/${created.body.id}`);
    expect(again.body.disabled_at).toBe(deleted.body.disabled_at);
    expect((await api.request<WebhookEndpointBody>('GET', `/v1/webhook_endpoints/${created.body.id}`)).body.status).toBe('disabled');
  });

  it('answers 404 for an endpoint that is not there, or not a UUID', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      for (const method of ['GET', 'DELETE']) {
        const res = await api.request(method, `/v1/webhook_endpoints/${id}`);
        expect(res.status).toBe(404);
        expect(errorOf(res.body).code).toBe('not_found');
      }
    }
  });

  const bad: [string, unknown, string][] = [
    ['a URL that is not http(s)', endpoint({ url: 'ftp://hooks.example.com/x' }), 'url'],
    ['a URL that is not one', endpoint({ url: 'hooks dot example' }), 'url'],
    ['credentials in the URL', endpoint({ url: 'https://user:pass@hooks.example.com/' }), 'url'],
    ['no URL', { events: ['invoice.paid'] }, 'url'],
    ['no events', { url: 'https://hooks.example.com/' }, 'events'],
    ['an empty events list', endpoint({ events: [] }), 'events'],
    ['an unknown event type', endpoint({ events: ['invoice.paid', 'invoice.exploded'] }), 'events[1]'],
    ['events as a string', endpoint({ events: 'invoice.paid' }), 'events'],
    ['a description that is not a string', endpoint({ description: 42 }), 'description'],
    ['an unknown field', endpoint({ secret: 'whsec_mine' }), 'secret'],
  ];
  it.each(bad)('refuses %s, naming the field', async (_, body, field) => {
    const res = await api.request('POST', '/v1/webhook_endpoints', body);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('invalid_request');
    expect(errorOf(res.body).details?.map((d) => d.field)).toContain(field);
  });

  it('is admin only, and nothing of another organisation is visible', async () => {
    expect((await api.request('GET', '/v1/webhook_endpoints', undefined, api.ingestKey)).status).toBe(403);
    expect((await api.request('POST', '/v1/webhook_endpoints', endpoint(), api.ingestKey)).status).toBe(403);
    const mine = await createEndpoint(endpoint());
    const org = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'another' });
    const theirs = org.body.admin_key;
    expect((await api.request('GET', `/v1/webhook_endpoints/${mine.body.id}`, undefined, theirs)).status).toBe(404);
    expect((await api.request('DELETE', `/v1/webhook_endpoints/${mine.body.id}`, undefined, theirs)).status).toBe(404);
    expect((await listEndpoints('', theirs)).body.data).toEqual([]);
    expect((await api.request('GET', `/v1/webhook_deliveries?endpoint_id=${mine.body.id}`, undefined, theirs)).body).toEqual({
      data: [],
      next_cursor: null,
    });
  });
});

describe('webhook deliveries', () => {
  it('lists none before anything was published, with filters checked', async () => {
    const created = await createEndpoint(endpoint());
    expect((await api.request('GET', `/v1/webhook_deliveries?endpoint_id=${created.body.id}&event=invoice.paid`)).body).toEqual({
      data: [],
      next_cursor: null,
    });
    for (const query of ['endpoint_id=nope', 'event=invoice.exploded', 'event_id=42', 'limit=0', 'cursor=abc']) {
      const res = await api.request('GET', `/v1/webhook_deliveries?${query}`);
      expect(res.status).toBe(400);
      expect(errorOf(res.body).code).toBe('invalid_request');
    }
  });

  it('answers 404 for a delivery or a replay of one that is not there', async () => {
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/replay'],
    ]) {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
        const res = await api.request(method, `/v1/webhook_deliveries/${id}${path}`);
        expect(res.status).toBe(404);
        expect(errorOf(res.body).code).toBe('not_found');
      }
    }
  });
});

describe('usage alerts', () => {
  it("sets, reads and clears a customer's amounts", async () => {
    await api.request('POST', '/v1/customers', { external_id: 'alerted' });
    expect((await api.request('GET', '/v1/customers/alerted/usage_alerts')).body).toEqual({
      external_customer_id: 'alerted',
      thresholds: [],
    });
    const set = await api.request<UsageAlertsBody>('PUT', '/v1/customers/alerted/usage_alerts', {
      thresholds: ['500.00', '100.00', '100'],
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ external_customer_id: 'alerted', thresholds: ['100', '500'] });
    expect((await api.request('GET', '/v1/customers/alerted/usage_alerts')).body).toEqual(set.body);
    expect((await api.request<UsageAlertsBody>('PUT', '/v1/customers/alerted/usage_alerts', { thresholds: [] })).body.thresholds).toEqual(
      [],
    );
    // The customer's own contract is unchanged.
    expect(Object.keys((await api.request<CustomerBody>('GET', '/v1/customers/alerted')).body)).not.toContain('thresholds');
  });

  it.each([
    [{ thresholds: ['0'] }, 'thresholds[0]'],
    [{ thresholds: ['-5'] }, 'thresholds[0]'],
    [{ thresholds: ['10', 100] }, 'thresholds[1]'],
    [{ thresholds: ['ten'] }, 'thresholds[0]'],
    [{ thresholds: '100' }, 'thresholds'],
    [{ thresholds: Array.from({ length: 21 }, (_, i) => String(i + 1)) }, 'thresholds'],
    [{}, 'thresholds'],
    [{ thresholds: ['1'], amount: '2' }, 'amount'],
  ])('refuses %j, naming the field', async (body, field) => {
    await api.request('POST', '/v1/customers', { external_id: 'alerted-bad' });
    const res = await api.request('PUT', '/v1/customers/alerted-bad/usage_alerts', body);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).details?.map((d) => d.field)).toContain(field);
  });

  it('answers 404 for an unknown customer, and is admin only', async () => {
    expect((await api.request('PUT', '/v1/customers/ghost/usage_alerts', { thresholds: ['1'] })).status).toBe(404);
    expect((await api.request('GET', '/v1/customers/ghost/usage_alerts')).status).toBe(404);
    expect((await api.request('GET', '/v1/customers/alerted/usage_alerts', undefined, api.ingestKey)).status).toBe(403);
  });
});

it('describes the endpoints in the OpenAPI document', async () => {
  const doc = await api.request<{
    paths: Record<string, unknown>;
    components: { schemas: { CreateWebhookEndpointRequest: { properties: { events: { items: { enum: string[] } } } } } };
  }>('GET', '/docs-json', undefined, '');
  expect(Object.keys(doc.body.paths)).toEqual(
    expect.arrayContaining([
      '/v1/webhook_endpoints',
      '/v1/webhook_endpoints/{id}',
      '/v1/webhook_deliveries',
      '/v1/webhook_deliveries/{id}',
      '/v1/webhook_deliveries/{id}/replay',
      '/v1/customers/{id}/usage_alerts',
    ]),
  );
  expect(doc.body.components.schemas.CreateWebhookEndpointRequest.properties.events.items.enum).toEqual([
    'usage.threshold_crossed',
    'credits.balance_low',
    'credits.exhausted',
    'invoice.margin_floor_applied',
    'invoice.finalized',
    'invoice.paid',
    'invoice.payment_failed',
    'invoice.push_failed',
    'margin.below_target',
    'rates.price_changed',
  ]);
});
