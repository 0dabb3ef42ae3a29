import { EntitlementCache, PriceBatch, RefreshStaleEntitlements } from '@tollgate/billing';
import { DatabaseProbe } from '@tollgate/testing';
import {
  startTestApi,
  type CreditBalanceBody,
  type CreditGrantBody,
  type EntitlementBody,
  type ErrorBody,
  type InvoiceBody,
  type TestApi,
  type TopUpBody,
} from '@tollgate/testing/api-harness';

// Prepaid credits through the real api (docs/api.md "Credits"): grants and purchases, the ledger paged, offline
// payments, top-up rules, and the entitlement an ingest key reads before a call.

let api: TestApi;
let probe: DatabaseProbe;

async function priceAll() {
  for (const { id } of await probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL'))
    await api.app.get(PriceBatch).execute({ batchId: id });
  // The worker's entitlement refresher, after pricing: the entitlements pricing marked stale.
  await api.app.get(RefreshStaleEntitlements).all();
  // And the api's entitlement cache has heard what the refresher wrote (as it would within milliseconds).
  await api.app.get(EntitlementCache).sync();
}

const code = (body: unknown) => (body as ErrorBody).error.code;

beforeAll(async () => {
  api = await startTestApi();
  probe = new DatabaseProbe(api.databaseUrl);
  const plan = { code: 'pre', name: 'Prepaid', currency: 'USD', prepaid: true, charges: [{ name: 'all', models: ['*'], markup: '0' }] };
  expect((await api.request('POST', '/v1/plans', plan)).status).toBe(201);
  expect((await api.request('POST', '/v1/customers', { external_id: 'wallet', plan_code: 'pre' })).status).toBe(201);
});

afterAll(async () => {
  await probe?.close();
  await api?.close();
});

describe('credits through the api', () => {
  it('refuses a prepaid customer without credit, allows it once a purchase is paid offline, and pages the ledger', async () => {
    const refused = await api.request<EntitlementBody>('GET', '/v1/customers/wallet/entitlement', undefined, api.ingestKey);
    expect(refused.body).toMatchObject({ allowed: false, reason: 'credits_exhausted', ongoing_balance: '0.00' });

    const bought = await api.request<CreditGrantBody>('POST', '/v1/customers/wallet/credits', { amount: '25.00', kind: 'purchased' });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ kind: 'purchased', status: 'pending', amount: '25.00', remaining: '25.00', currency: 'USD' });
    const sale = await api.request<InvoiceBody>('GET', `/v1/invoices/${bought.body.invoice_id}`);
    expect(sale.body).toMatchObject({ type: 'credit_purchase', status: 'finalized', total: '25.00' });
    expect(sale.body.lines.map((l) => [l.type, l.amount])).toEqual([['credit_purchase', '25.00']]);
    expect((await api.request<EntitlementBody>('GET', '/v1/customers/wallet/entitlement', undefined, api.ingestKey)).body.allowed).toBe(
      false,
    );

    const paid = await api.request<InvoiceBody>('POST', `/v1/invoices/${bought.body.invoice_id}/mark_paid`);
    expect(paid.body.status).toBe('paid');
    expect((await api.request<EntitlementBody>('GET', '/v1/customers/wallet/entitlement', undefined, api.ingestKey)).body).toMatchObject({
      allowed: true,
      ongoing_balance: '25.00',
    });

    for (const amount of ['1.00', '2.00', '3.00'])
      expect((await api.request('POST', '/v1/customers/wallet/credits', { amount, kind: 'granted', priority: 5 })).status).toBe(201);
    const first = await api.request<CreditBalanceBody>('GET', '/v1/customers/wallet/credits?limit=3');
    expect(first.body).toMatchObject({ balance: '31.00', ongoing_balance: '31.00', top_up: null });
    expect(first.body.grants.map((g) => g.amount)).toEqual(['25.00', '1.00', '2.00', '3.00']);
    expect(first.body.ledger.map((l) => [l.kind, l.amount])).toEqual([
      ['grant', '25.00'],
      ['grant', '1.00'],
      ['grant', '2.00'],
    ]);
    const second = await api.request<CreditBalanceBody>('GET', `/v1/customers/wallet/credits?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.ledger.map((l) => [l.kind, l.amount])).toEqual([['grant', '3.00']]);
    expect(second.body.next_cursor).toBeNull();
  });

  it('follows priced usage in the entitlement', async () => {
    const sent = await api.request(
      'POST',
      '/v1/events',
      {
        events: [
          {
            transaction_id: 'credits-1',
            external_customer_id: 'wallet',
            provider: 'openai',
            model: 'gpt-4o',
            usage: { input_tokens: 1_000_000, output_tokens: 0 },
          },
        ],
      },
      api.ingestKey,
    );
    expect(sent.status).toBe(200);
    await priceAll();
    const after = await api.request<EntitlementBody>('GET', '/v1/customers/wallet/entitlement', undefined, api.ingestKey);
    expect(after.body.allowed).toBe(true);
    expect(Number(after.body.period_usage)).toBeGreaterThan(0);
    expect(Number(after.body.ongoing_balance)).toBeCloseTo(31 - Number(after.body.period_usage), 2);
  });

  it('sets and removes a top-up rule', async () => {
    const set = await api.request<TopUpBody>('PUT', '/v1/customers/wallet/credits/top_up', {
      below: '5.00',
      amount: '50.00',
      kind: 'purchased',
      expires_in_days: 30,
    });
    expect(set.body).toEqual({
      external_customer_id: 'wallet',
      top_up: { below: '5', amount: '50', kind: 'purchased', priority: 0, expires_in_days: 30 },
    });
    expect((await api.request<CreditBalanceBody>('GET', '/v1/customers/wallet/credits')).body.top_up).toMatchObject({ below: '5' });
    const removed = await api.request<TopUpBody>('DELETE', '/v1/customers/wallet/credits/top_up');
    expect(removed.body.top_up).toBeNull();
  });

  it('answers bad input and unknown things in the error shape', async () => {
    const fine = await api.request('POST', '/v1/customers/wallet/credits', { amount: '1.001', kind: 'granted' });
    expect([fine.status, code(fine.body)]).toEqual([400, 'invalid_request']);
    const paid = await api.request('POST', '/v1/customers/wallet/credits', { amount: '1.00', kind: 'granted', paid: true });
    expect([paid.status, code(paid.body)]).toEqual([400, 'invalid_request']);
    const past = await api.request('POST', '/v1/customers/wallet/credits', {
      amount: '1.00',
      kind: 'granted',
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect([past.status, code(past.body)]).toEqual([400, 'invalid_request']);
    const nobody = await api.request('POST', '/v1/customers/nobody/credits', { amount: '1.00', kind: 'granted' });
    expect([nobody.status, code(nobody.body)]).toEqual([404, 'not_found']);
    const cursor = await api.request('GET', '/v1/customers/wallet/credits?cursor=nope');
    expect([cursor.status, code(cursor.body)]).toEqual([400, 'invalid_request']);
    const invoice = await api.request('POST', '/v1/invoices/00000000-0000-4000-8000-000000000000/mark_paid');
    expect([invoice.status, code(invoice.body)]).toEqual([404, 'not_found']);
    const byIngest = await api.request('POST', '/v1/customers/wallet/credits', { amount: '1.00', kind: 'granted' }, api.ingestKey);
    expect(byIngest.status).toBe(403);
  });
});
