import { Clock, PriceBatch, type TestClock } from '@tollgate/billing';
import { DatabaseProbe } from '@tollgate/testing';
import {
  startTestApi,
  type CouponBody,
  type CouponListBody,
  type CreatedOrganizationBody,
  type ErrorBody,
  type IngestBody,
  type InvoiceBody,
  type InvoiceListBody,
  type InvoicePreviewBody,
  type OrganizationBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

// Invoices, coupons and the invoice number prefix through the real api (docs/api.md "Invoices", "Coupons"),
// on a billing clock the test sets (TOLLGATE_TEST_NOW). Events are priced by the worker's use case in process.

let api: TestApi;
let probe: DatabaseProbe;
let clock: TestClock;
let seq = 0;

const event = (customer: string, timestamp: string, input = 1_000_000) => ({
  transaction_id: `inv-${seq++}`,
  external_customer_id: customer,
  provider: 'openai',
  model: 'gpt-4o',
  timestamp,
  usage: { input_tokens: input, output_tokens: 1000 },
});

async function priceAll() {
  for (const { id } of await probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL'))
    await api.app.get(PriceBatch).execute({ batchId: id });
}

beforeAll(async () => {
  api = await startTestApi({ TOLLGATE_TEST_NOW: '2026-10-01T00:00:00Z', EVENT_BACKFILL_DAYS: '365' });
  probe = new DatabaseProbe(api.databaseUrl);
  clock = api.app.get(Clock) as TestClock;
  const plan = {
    code: 'api',
    name: 'API',
    currency: 'USD',
    base_fee: '2.00',
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '0.5', margin_floor: '0.2' }],
  };
  expect((await api.request('POST', '/v1/plans', plan)).status).toBe(201);
  for (const id of ['c1', 'c2', 'c3'])
    expect((await api.request('POST', '/v1/customers', { external_id: id, plan_code: 'api' })).status).toBe(201);
  const sent = await api.request<IngestBody>(
    'POST',
    '/v1/events',
    { events: ['c1', 'c2', 'c3'].map((c) => event(c, '2026-10-05T10:00:00Z')) },
    api.ingestKey,
  );
  expect(sent.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
  await priceAll();
});

afterAll(async () => {
  await probe?.close();
  await api?.close();
});

describe('the organisation', () => {
  it('shows and changes the prefix of its invoice numbers', async () => {
    expect((await api.request('GET', '/v1/organization')).body).toMatchObject({ name: 'default', invoice_prefix: 'TG' });
    const changed = await api.request<OrganizationBody>('PATCH', '/v1/organization', { invoice_prefix: 'ACME' });
    expect(changed.status).toBe(200);
    expect(changed.body.invoice_prefix).toBe('ACME');
    const bad = await api.request<ErrorBody>('PATCH', '/v1/organization', { invoice_prefix: 'no spaces' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'invoice_prefix' })]);
    const other = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'other', invoice_prefix: 'OTH' });
    expect(other.body).toMatchObject({ name: 'other', invoice_prefix: 'OTH', admin_key: expect.any(String) });
  });
});

describe('coupons', () => {
  it('are created, listed and removed; bad ones are refused with the field named', async () => {
    const created = await api.request<CouponBody>('POST', '/v1/customers/c1/coupons', { kind: 'fixed', amount: '0.50', frequency: 'once' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'fixed',
      amount: '0.5',
      frequency: 'once',
      expires_at: null,
      status: 'active',
      used_by_invoice_id: null,
    });
    const gone = await api.request<CouponBody>('POST', '/v1/customers/c1/coupons', {
      kind: 'percentage',
      percent: '10',
      frequency: 'forever',
      expires_at: '2027-01-01T00:00:00Z',
    });
    expect((await api.request('DELETE', `/v1/customers/c1/coupons/${gone.body.id}`)).body).toMatchObject({
      id: gone.body.id,
      status: 'removed',
    });
    const page1 = await api.request<CouponListBody>('GET', '/v1/customers/c1/coupons?limit=1');
    const page2 = await api.request<CouponListBody>('GET', `/v1/customers/c1/coupons?limit=1&cursor=${page1.body.next_cursor}`);
    expect([...page1.body.data, ...page2.body.data].map((c: { id: string }) => c.id)).toEqual([created.body.id, gone.body.id]);
    expect(page2.body.next_cursor).toBeNull();

    for (const [body, field] of [
      [{ kind: 'fixed', frequency: 'once' }, 'amount'],
      [{ kind: 'fixed', amount: '1', percent: '5', frequency: 'once' }, 'percent'],
      [{ kind: 'percentage', percent: 5, frequency: 'once' }, 'percent'],
      [{ kind: 'bogus', amount: '1', frequency: 'once' }, 'kind'],
      [{ kind: 'fixed', amount: '1', frequency: 'weekly' }, 'frequency'],
      [{ kind: 'percentage', percent: '120', frequency: 'once' }, 'percent'],
    ] as const) {
      const res = await api.request<ErrorBody>('POST', '/v1/customers/c1/coupons', body);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect((await api.request('POST', '/v1/customers/ghost/coupons', { kind: 'fixed', amount: '1', frequency: 'once' })).status).toBe(404);
    expect((await api.request('DELETE', '/v1/customers/c1/coupons/not-a-coupon')).status).toBe(404);
  });

  it('show on the preview as they will on the invoice', async () => {
    const preview = await api.request<InvoicePreviewBody>('GET', '/v1/customers/c1/invoices/preview');
    expect(preview.body).toMatchObject({ status: 'preview', id: null, number: null });
    expect(preview.body.lines.map((l: { type: string }) => l.type)).toEqual(['usage', 'base_fee', 'coupon']);
  });
});

describe('invoices', () => {
  let first: { id: string; number: string };

  it('closes a period now: finalized at once with no grace period, with its number and costs for an admin key', async () => {
    clock.set('2026-10-20T00:00:00Z');
    const closed = await api.request<InvoiceBody>('POST', '/v1/customers/c1/invoices/close');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'finalized',
      number: 'ACME-2026-000001',
      external_customer_id: 'c1',
      plan_code: 'api',
      plan_version: 1,
      currency: 'USD',
      period_start: '2026-10-01T00:00:00.000Z',
      period_end: '2026-10-20T00:00:00.000Z',
      finalized_at: '2026-10-20T00:00:00.000Z',
      stripe_invoice_id: null,
    });
    expect(closed.body.lines[0]).toEqual(
      expect.objectContaining({ type: 'usage', charge: 'all', provider_cost: expect.any(String), floor_applied: false, events: 1 }),
    );
    expect(closed.body.lines.map((l: { type: string; amount: string }) => l.type)).toEqual(['usage', 'base_fee', 'coupon']);
    first = { id: closed.body.id, number: closed.body.number ?? '' };
    const again = await api.request<InvoiceBody>('POST', '/v1/customers/c1/invoices/close', {});
    expect(again.body.id).toBe(first.id);
  });

  it('refuses a close in the future, of an unknown customer, or with a bad body', async () => {
    const future = await api.request<ErrorBody>('POST', '/v1/customers/c2/invoices/close', { period_end: '2027-01-01T00:00:00Z' });
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([expect.objectContaining({ field: 'period_end' })]);
    expect((await api.request('POST', '/v1/customers/c2/invoices/close', { period_end: 'yesterday' })).status).toBe(400);
    expect((await api.request('POST', '/v1/customers/c2/invoices/close', { until: 1 })).status).toBe(400);
    expect((await api.request('POST', '/v1/customers/ghost/invoices/close')).status).toBe(404);
  });

  it('lists invoices with filters and cursor paging, and gets one', async () => {
    await api.request('POST', '/v1/customers/c2/invoices/close', { period_end: '2026-10-19T00:00:00Z' });
    await api.request('POST', '/v1/customers/c3/invoices/close', { period_end: Date.parse('2026-10-18T00:00:00Z') });
    const all = await api.request<InvoiceListBody>('GET', '/v1/invoices');
    expect(all.body.data.map((i: { external_customer_id: string }) => i.external_customer_id).sort()).toEqual(['c1', 'c2', 'c3']);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: InvoiceListBody } = await api.request<InvoiceListBody>(
        'GET',
        `/v1/invoices?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(...page.body.data.map((i) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(pages).toEqual(all.body.data.map((i: { id: string }) => i.id));
    expect((await api.request<InvoiceListBody>('GET', '/v1/invoices?external_customer_id=c2')).body.data).toHaveLength(1);
    expect((await api.request<InvoiceListBody>('GET', '/v1/invoices?status=draft')).body.data).toHaveLength(0);
    expect((await api.request<InvoiceListBody>('GET', '/v1/invoices?from=2026-11-01T00:00:00Z')).body.data).toHaveLength(0);
    expect((await api.request('GET', '/v1/invoices?status=open')).status).toBe(400);
    expect((await api.request('GET', '/v1/invoices?cursor=bm9wZQ')).status).toBe(400);

    expect((await api.request('GET', `/v1/invoices/${first.id}`)).body).toMatchObject({ id: first.id, number: first.number });
    expect((await api.request('GET', '/v1/invoices/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api.request('GET', '/v1/invoices/nope')).status).toBe(404);
    expect((await api.request('GET', '/v1/invoices', undefined, api.ingestKey)).status).toBe(403);
  });

  it('voids with a reason, keeping the number; a void invoice is reissued, not finalized', async () => {
    expect((await api.request('POST', `/v1/invoices/${first.id}/void`, {})).status).toBe(400);
    const voided = await api.request<InvoiceBody>('POST', `/v1/invoices/${first.id}/void`, { reason: 'sent to the wrong address' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'void', number: first.number, void_reason: 'sent to the wrong address' });
    const finalize = await api.request<ErrorBody>('POST', `/v1/invoices/${first.id}/finalize`);
    expect(finalize.status).toBe(409);
    expect(finalize.body.error.code).toBe('invoice_void');
    const reissued = await api.request<InvoiceBody>('POST', `/v1/invoices/${first.id}/reissue`);
    expect(reissued.status).toBe(200);
    expect(reissued.body).toMatchObject({ status: 'finalized', number: 'ACME-2026-000004', period_start: '2026-10-01T00:00:00.000Z' });
    // The once coupon the void invoice used is back, and goes on the reissue.
    expect(reissued.body.lines.map((l: { type: string }) => l.type)).toEqual(['usage', 'base_fee', 'coupon']);
    const conflict = await api.request<ErrorBody>('POST', `/v1/invoices/${first.id}/reissue`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('period_invoiced');
  });

  it('are in the OpenAPI document', async () => {
    const docs = await api.request<{ paths: Record<string, unknown> }>('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/invoices/{id}',
        '/v1/invoices/{id}/finalize',
        '/v1/invoices/{id}/void',
        '/v1/invoices/{id}/reissue',
        '/v1/customers/{id}/invoices/close',
        '/v1/customers/{id}/coupons',
        '/v1/customers/{id}/coupons/{coupon_id}',
        '/v1/organization',
      ]),
    );
  });
});
