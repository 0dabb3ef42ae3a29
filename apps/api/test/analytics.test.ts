import { startTestApi, type ErrorBody, type OrganizationBody, type TestApi } from '@tollgate/testing/api-harness';

// The analytics endpoints through the real api: ranges of whole UTC days, one or two dimensions, errors in the
// API's shape; the organisation's target margin is the margin-cliff report's. (The figures: the use cases' tests.)

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ RATE_SOURCES: 'none' });
});
afterAll(async () => {
  await api?.close();
});

it('answers the margin report of a range, empty without usage', async () => {
  const res = await api.request('GET', '/v1/analytics/margin?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&group_by=customer,model');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    group_by: ['customer', 'model'],
    groups: [],
    totals: { events: 0, provider_cost: '0', revenue: '0', margin: '0', margin_pct: null },
  });
});

it('refuses a bad range or grouping with the fields named', async () => {
  const cases: [string, string][] = [
    ['/v1/analytics/margin?group_by=customer,customer', 'group_by'],
    ['/v1/analytics/margin?group_by=customer,model,day', 'group_by'],
    ['/v1/analytics/margin?group_by=invoice', 'group_by'],
    ['/v1/analytics/margin?from=2026-11-01T10:00:00Z&to=2026-12-01T00:00:00Z', 'from'],
    ['/v1/analytics/tasks?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
    ['/v1/analytics/cache_savings?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
    ['/v1/analytics/tasks?longest=0', 'longest'],
  ];
  for (const [path, field] of cases) {
    const res = await api.request<ErrorBody>('GET', path);
    expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'invalid_request']);
    expect([path, res.body.error.details?.map((d) => d.field)]).toEqual([path, [field]]);
  }
});

it('keeps the target margin on the organisation', async () => {
  expect((await api.request<OrganizationBody>('GET', '/v1/organization')).body.target_margin).toBe('0.3');
  const changed = await api.request<OrganizationBody>('PATCH', '/v1/organization', { target_margin: '0.45' });
  expect([changed.status, changed.body.target_margin]).toEqual([200, '0.45']);
  expect((await api.request('GET', '/v1/analytics/margin_cliff')).body).toMatchObject({ target_margin: '0.45', customers: [] });
  const bad = await api.request<ErrorBody>('PATCH', '/v1/organization', { target_margin: '1' });
  expect([bad.status, bad.body.error.details?.[0].field]).toEqual([400, 'target_margin']);
});

it('is for admin keys only', async () => {
  const res = await api.request<ErrorBody>('GET', '/v1/analytics/margin', undefined, api.ingestKey);
  expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
});
