import { errorOf } from '@tollgate/testing';
import {
  startTestApi,
  type CustomerBody,
  type CustomerListBody,
  type PlanListBody,
  type PlanWithVersionsBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

// Plans and customers per docs/api.md, against the real api and Postgres.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const plan = (over: Record<string, unknown> = {}) => ({
  code: 'pro',
  name: 'Pro',
  currency: 'USD',
  interval: 'month',
  base_fee: '0',
  included_usage: '20.00',
  minimum_commitment: '0',
  grace_period_hours: 1,
  requires_approval: false,
  charges: [
    { name: 'premium', models: ['*o3*', '*opus*'], mode: 'price', markup: '0.50', margin_floor: '0.30', allowance_eligible: false },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20', allowance_eligible: true },
  ],
  ...over,
});

describe('plans', () => {
  it('creates version 1, then a PUT makes version 2, and both stay visible', async () => {
    const created = await api.request('POST', '/v1/plans', plan());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'pro',
      version: 1,
      included_usage: '20',
      charges: [{ name: 'premium', markup: '0.5' }, { name: 'standard' }],
    });
    const updated = await api.request('PUT', '/v1/plans/pro', plan({ name: 'Pro v2', included_usage: '25.00' }));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, name: 'Pro v2', included_usage: '25' });
    const got = await api.request<PlanWithVersionsBody>('GET', '/v1/plans/pro');
    expect(got.body.version).toBe(2);
    expect(got.body.versions.map((v) => v.version)).toEqual([1, 2]);
    const list = await api.request<PlanListBody>('GET', '/v1/plans');
    expect(list.body.data.map((p) => p.code)).toEqual(['default', 'pro']);
  });

  it('refuses a second POST of the same code, and a PUT of an unknown one', async () => {
    expect((await api.request('POST', '/v1/plans', plan({ code: 'dup' }))).status).toBe(201);
    const again = await api.request('POST', '/v1/plans', plan({ code: 'dup' }));
    expect(again.status).toBe(409);
    expect(errorOf(again.body).code).toBe('plan_exists');
    expect((await api.request('PUT', '/v1/plans/nope', plan({ code: 'nope' }))).status).toBe(404);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['a markup below -100%', { charges: [{ name: 'a', models: ['*'], mode: 'price', markup: '-1.5' }] }, 'charges[0].markup'],
    [
      'a floor of 1 or more',
      { charges: [{ name: 'a', models: ['*'], mode: 'price', markup: '0', margin_floor: '1' }] },
      'charges[0].margin_floor',
    ],
    ['no default charge', { charges: [{ name: 'a', models: ['*o3*'], mode: 'price', markup: '0' }] }, 'charges'],
    [
      'an unknown dimension',
      { charges: [{ name: 'a', models: ['*'], mode: 'token', token_prices: { input_tokens: '3', output_tokens: '15', thoughts: '1' } }] },
      'charges[0].token_prices',
    ],
    ['money as a JSON number', { base_fee: 10 }, 'base_fee'],
  ];
  it.each(bad)('refuses %s with a clear error naming the field', async (_, over, field) => {
    const res = await api.request('POST', '/v1/plans', plan({ code: `bad-${Math.random().toString(36).slice(2)}`, ...over }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('invalid_request');
    expect(errorOf(res.body).details?.map((d) => d.field)).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
  });
});

describe('customers', () => {
  it('creates, reads, lists and changes customers', async () => {
    const created = await api.request('POST', '/v1/customers', {
      external_id: 'acme',
      name: 'Acme',
      email: 'ops@acme.test',
      plan_code: 'pro',
      discount: '0.10',
      billing_anchor: '2026-01-15',
      spend_cap: '500.00',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      external_id: 'acme',
      plan_code: 'pro',
      discount: '0.1',
      billing_anchor: '2026-01-15',
      spend_cap: '500',
    });
    expect(errorOf((await api.request('POST', '/v1/customers', { external_id: 'acme' })).body).code).toBe('customer_exists');
    const other = await api.request<CustomerBody>('POST', '/v1/customers', { external_id: 'beta' });
    expect(other.body.plan_code).toBe('default');
    const patched = await api.request('PATCH', '/v1/customers/acme', { discount: '0.2', spend_cap: null });
    expect(patched.body).toMatchObject({ discount: '0.2', spend_cap: null, plan_code: 'pro' });
    const page1 = await api.request<CustomerListBody>('GET', '/v1/customers?limit=1');
    const page2 = await api.request<CustomerListBody>('GET', `/v1/customers?limit=1&cursor=${page1.body.next_cursor}`);
    expect([...page1.body.data, ...page2.body.data].map((c) => c.external_id)).toEqual(['acme', 'beta']);
    expect((await api.request('GET', '/v1/customers/ghost')).status).toBe(404);
  });

  it('refuses bad customer input with the fields named', async () => {
    for (const body of [
      { external_id: 'x1', discount: '1.5' },
      { external_id: 'x2', discount: 0.1 },
      { external_id: 'x3', billing_anchor: '2026-02-30' },
      { external_id: 'x4', plan_code: 'no-such-plan' },
      { external_id: 'x5', spend_cap: '-1' },
      { name: 'no id' },
      { external_id: 'x6', colour: 'red' },
    ]) {
      const res = await api.request('POST', '/v1/customers', body);
      expect(res.status).toBe(400);
      expect(errorOf(res.body).code).toBe('invalid_request');
      expect(errorOf(res.body).message).toMatch(/\w+ /);
    }
  });

  it('answers the entitlement to an ingest key, and only that to it', async () => {
    await api.request('POST', '/v1/customers', { external_id: 'capped', spend_cap: '0' });
    const capped = await api.request('GET', '/v1/customers/capped/entitlement', undefined, api.ingestKey);
    expect(capped.status).toBe(200);
    expect(capped.body).toEqual({
      allowed: false,
      reason: 'spend_cap_reached',
      ongoing_balance: '0.00',
      period_usage: '0.00',
      spend_cap: '0',
    });
    const free = await api.request('GET', '/v1/customers/beta/entitlement', undefined, api.ingestKey);
    expect(free.body).toMatchObject({ allowed: true, period_usage: '0.00' });
    expect((await api.request('GET', '/v1/customers/nobody/entitlement', undefined, api.ingestKey)).status).toBe(404);
    expect((await api.request('GET', '/v1/customers/beta', undefined, api.ingestKey)).status).toBe(403);
  });
});
