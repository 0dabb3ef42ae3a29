import fc from 'fast-check';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import {
  anyJson,
  DatabaseProbe,
  dateTimeish,
  dateish,
  decimalAround,
  loneSurrogate,
  mutated,
  nastyNumber,
  nastyString,
  withSomeBad,
} from '@tollgate/testing';
import { startTestApi, type IngestBody, type InvoiceBody, type RateSyncBody, type TestApi } from '@tollgate/testing/api-harness';
import { ErrorResponse } from '../src/common/schema/responses';
import { ROUTE_SCHEMAS } from '../src/common/schema/validate';

// Random and adversarial requests to every operation of the real api (real Postgres): whatever comes in,
// the answer is never a 5xx, every error is in the API's shape, every success matches its documented
// schema, and in a batch of events a rejected one stores nothing while its valid siblings are stored.
// Seeded and bounded: a failure reproduces with the same seed.

const SEED = 20261130;
let api: TestApi;
let probe: DatabaseProbe;
let syncId: string;
let invoiceId: string;

/** Percent-encodes any JS string, lone surrogates too (as their WTF-8 bytes, which the api must refuse). */
function encodePart(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff)
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

const query = (q: Record<string, string>) => {
  const parts = Object.entries(q).map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

const cursorish = fc.oneof(
  nastyString.map((s) => Buffer.from(s).toString('base64url')),
  fc.constantFrom(
    '%%%',
    'AA',
    Buffer.from('9223372036854775808').toString('base64url'),
    Buffer.from('-1').toString('base64url'),
    Buffer.from([0xff]).toString('base64url'),
  ),
  nastyString,
);
const queryValue = fc.oneof(nastyString, dateTimeish, fc.integer().map(String), nastyNumber.map(String), cursorish);
const idValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fuzz-c', 'fuzz-p', 'sync', 'invoice', 'a'.repeat(255), 'a'.repeat(256)) },
  { weight: 3, arbitrary: nastyString },
);

const goodEvent = (id: string) => ({
  transaction_id: id,
  external_customer_id: 'fuzz-c',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { input_tokens: 100, output_tokens: 10 },
});
const eventFields = {
  transaction_id: nastyString,
  external_customer_id: nastyString,
  timestamp: fc.oneof(dateTimeish, nastyNumber, fc.constant(Date.now())),
  provider: nastyString,
  model: nastyString,
  usage: fc.oneof(
    fc.dictionary(fc.oneof(fc.constantFrom(...USAGE_DIMENSIONS), nastyString), fc.oneof(nastyNumber, anyJson), { maxKeys: 4 }),
    anyJson,
  ),
  cost: fc.oneof(decimalAround(18, 30), nastyNumber),
  task_id: nastyString,
  status: fc.constantFrom('success', 'error', 'ok'),
  metadata: fc.oneof(fc.dictionary(nastyString, fc.oneof(nastyString, anyJson), { maxKeys: 40 }), anyJson),
};
const prices = fc.dictionary(
  fc.oneof(fc.constantFrom(...USAGE_DIMENSIONS), nastyString),
  fc.oneof(decimalAround(7, 24), nastyNumber, anyJson),
  { maxKeys: 4 },
);
const planBody = { code: 'fuzz-p', name: 'Fuzz', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '0.3' }] };
const planFields = {
  code: nastyString,
  name: nastyString,
  currency: fc.constantFrom('USD', 'JPY', 'usd', 'XXX'),
  interval: fc.constantFrom('month', 'year', 'week'),
  base_fee: fc.oneof(decimalAround(20, 3), nastyNumber),
  included_usage: fc.oneof(decimalAround(36, 31), nastyNumber),
  grace_period_hours: nastyNumber,
  cost_source: fc.constantFrom('rate_card', 'reported', 'x'),
  charges: fc.oneof(
    fc.array(
      withSomeBad(fc.constant({ name: 'all', models: ['*'], markup: '0.3' }), {
        name: nastyString,
        models: fc.array(nastyString, { maxLength: 3 }),
        mode: fc.constantFrom('price', 'token', 'x'),
        markup: fc.oneof(decimalAround(5, 31), nastyNumber),
        token_prices: prices,
        margin_floor: fc.oneof(decimalAround(1, 31), nastyNumber),
      }),
      { maxLength: 3 },
    ),
    anyJson,
  ),
  effective_from: fc.oneof(dateTimeish, nastyNumber),
};
const simulationFields = {
  from: fc.oneof(dateTimeish, nastyNumber),
  to: fc.oneof(dateTimeish, nastyNumber),
  external_customer_ids: fc.oneof(fc.array(fc.oneof(fc.constant('fuzz-billed'), nastyString), { maxLength: 3 }), anyJson),
  plan: fc.oneof(fc.record(planFields, { requiredKeys: [] }), fc.constant({ ...planBody, currency: 'EUR' }), anyJson),
  plan_changes: fc.oneof(
    fc.record(
      {
        markup: fc.oneof(decimalAround(5, 31), nastyNumber),
        margin_floor: fc.oneof(decimalAround(1, 31), nastyNumber, fc.constant(null)),
        included_usage: fc.oneof(decimalAround(21, 31), nastyNumber),
        discount: fc.oneof(decimalAround(1, 31), nastyNumber),
      },
      { requiredKeys: [] },
    ),
    anyJson,
  ),
  price_multipliers: fc.oneof(
    fc.array(
      fc.record({ provider: nastyString, model: nastyString, factor: fc.oneof(decimalAround(5, 13), nastyNumber) }, { requiredKeys: [] }),
      {
        maxLength: 3,
      },
    ),
    anyJson,
  ),
  routing_shifts: fc.oneof(
    fc.array(
      fc.record(
        {
          from_provider: nastyString,
          from_model: fc.oneof(fc.constant('gpt-4o'), nastyString),
          to_provider: fc.oneof(fc.constant('openai'), nastyString),
          to_model: fc.oneof(fc.constant('gpt-4o-mini'), nastyString),
          share: fc.oneof(decimalAround(2, 7), nastyNumber),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    anyJson,
  ),
  usage_growth: fc.oneof(decimalAround(5, 13), nastyNumber),
};
const couponFields = {
  kind: fc.constantFrom('fixed', 'percentage', 'x'),
  amount: fc.oneof(decimalAround(21, 31), nastyNumber),
  percent: fc.oneof(decimalAround(3, 31), nastyNumber),
  frequency: fc.constantFrom('once', 'forever', 'x'),
  expires_at: fc.oneof(dateTimeish, nastyNumber),
};
const creditFields = {
  amount: fc.oneof(decimalAround(21, 31), nastyNumber),
  kind: fc.constantFrom('purchased', 'granted', 'x'),
  priority: fc.oneof(fc.integer({ min: -1, max: 1_000_001 }), nastyNumber),
  expires_at: fc.oneof(dateTimeish, nastyNumber),
  paid: fc.oneof(fc.boolean(), nastyNumber, nastyString),
};
const topUpFields = {
  below: fc.oneof(decimalAround(21, 31), nastyNumber),
  amount: fc.oneof(decimalAround(21, 31), nastyNumber),
  kind: fc.constantFrom('purchased', 'granted', 'x'),
  priority: fc.oneof(fc.integer({ min: -1, max: 1_000_001 }), nastyNumber),
  expires_in_days: fc.oneof(fc.integer({ min: -1, max: 4000 }), nastyNumber),
};
const customerFields = {
  external_id: nastyString,
  name: nastyString,
  email: nastyString,
  plan_code: fc.constantFrom('fuzz-p', 'default', 'nope'),
  discount: fc.oneof(decimalAround(1, 31), nastyNumber),
  billing_anchor: fc.oneof(dateish, nastyString),
  spend_cap: fc.oneof(decimalAround(36, 31), nastyNumber),
  stripe_customer_id: nastyString,
  collection_method: fc.constantFrom('charge_automatically', 'send_invoice', 'x'),
  days_until_due: fc.oneof(fc.integer({ min: -1, max: 400 }), nastyNumber),
};

interface Endpoint {
  operationId: string;
  method: string;
  path: (id: string) => string;
  query?: string[];
  body?: fc.Arbitrary<unknown>;
  key?: 'ingest';
}

const body = (fields: Record<string, fc.Arbitrary<unknown>>, valid: Record<string, unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: mutated(fields, valid) },
    { weight: 3, arbitrary: withSomeBad(fc.constant(valid), fields, 2) },
    { weight: 1, arbitrary: anyJson },
  );

const endpoints: Endpoint[] = [
  {
    operationId: 'EventsController_create',
    method: 'POST',
    path: () => '/v1/events',
    key: 'ingest',
    body: fc.oneof(
      fc.record({ events: fc.array(body(eventFields, goodEvent('fuzz-static')), { maxLength: 3 }) }),
      anyJson,
      fc.record({ events: anyJson, extra: anyJson }),
    ),
  },
  {
    operationId: 'EventsController_list',
    method: 'GET',
    path: () => '/v1/events',
    query: ['external_customer_id', 'transaction_id', 'from', 'to', 'model', 'pricing_status', 'cursor', 'limit'],
  },
  { operationId: 'EventsController_retry', method: 'POST', path: () => '/v1/events/quarantine/retry' },
  {
    operationId: 'OrganizationsController_createOrganization',
    method: 'POST',
    path: () => '/v1/organizations',
    body: body({ name: nastyString }, { name: 'fuzz org' }),
  },
  {
    operationId: 'OrganizationsController_createKey',
    method: 'POST',
    path: () => '/v1/api_keys',
    body: body({ name: nastyString, scope: fc.constantFrom('ingest', 'admin', 'portal') }, { name: 'k', scope: 'ingest' }),
  },
  { operationId: 'ApiKeysController_list', method: 'GET', path: () => '/v1/api_keys', query: ['cursor', 'limit'] },
  { operationId: 'ApiKeysController_revoke', method: 'DELETE', path: (id) => `/v1/api_keys/${id}` },
  { operationId: 'ApiKeysController_rotate', method: 'POST', path: (id) => `/v1/api_keys/${id}/rotate` },
  { operationId: 'PlansController_create', method: 'POST', path: () => '/v1/plans', body: body(planFields, planBody) },
  { operationId: 'PlansController_list', method: 'GET', path: () => '/v1/plans', query: ['cursor', 'limit'] },
  { operationId: 'PlansController_get', method: 'GET', path: (id) => `/v1/plans/${id}` },
  { operationId: 'PlansController_update', method: 'PUT', path: (id) => `/v1/plans/${id}`, body: body(planFields, planBody) },
  {
    operationId: 'CustomersController_create',
    method: 'POST',
    path: () => '/v1/customers',
    body: body(customerFields, { external_id: 'fuzz-new' }),
  },
  { operationId: 'CustomersController_list', method: 'GET', path: () => '/v1/customers', query: ['cursor', 'limit'] },
  { operationId: 'CustomersController_get', method: 'GET', path: (id) => `/v1/customers/${id}` },
  {
    operationId: 'CustomersController_update',
    method: 'PATCH',
    path: (id) => `/v1/customers/${id}`,
    body: body(customerFields, { name: 'x' }),
  },
  { operationId: 'CustomersController_usage', method: 'GET', path: (id) => `/v1/customers/${id}/usage`, query: ['from', 'to', 'group_by'] },
  { operationId: 'CustomersController_entitlement', method: 'GET', path: (id) => `/v1/customers/${id}/entitlement`, key: 'ingest' },
  { operationId: 'CustomersController_preview', method: 'GET', path: (id) => `/v1/customers/${id}/invoices/preview` },
  { operationId: 'RatesController_get', method: 'GET', path: () => '/v1/rates', query: ['provider', 'model'] },
  { operationId: 'RatesController_sync', method: 'POST', path: () => '/v1/rates/sync' },
  { operationId: 'RatesController_getSync', method: 'GET', path: (id) => `/v1/rates/syncs/${id}` },
  { operationId: 'RatesController_approve', method: 'POST', path: (id) => `/v1/rates/syncs/${id}/approve` },
  {
    operationId: 'RatesController_addOverride',
    method: 'POST',
    path: () => '/v1/rates/overrides',
    body: body(
      {
        provider: nastyString,
        model: nastyString,
        prices,
        tiers: fc.oneof(fc.array(fc.record({ min_prompt_tokens: nastyNumber, prices }), { maxLength: 2 }), anyJson),
        effective_from: fc.oneof(dateTimeish, nastyNumber),
      },
      { provider: 'fuzz', model: 'm', prices: { input_tokens: '1', output_tokens: '2' } },
    ),
  },
  {
    operationId: 'RatesController_putAlias',
    method: 'PUT',
    path: (id) => `/v1/rates/aliases/${id}`,
    body: body({ provider: nastyString, model: nastyString }, { provider: 'openai', model: 'gpt-4o' }),
  },
  { operationId: 'OrganizationsController_organization', method: 'GET', path: () => '/v1/organization' },
  {
    operationId: 'OrganizationsController_changeOrganizationSettings',
    method: 'PATCH',
    path: () => '/v1/organization',
    body: body(
      { name: nastyString, invoice_prefix: nastyString, target_margin: fc.oneof(decimalAround(1, 31), nastyNumber, nastyString) },
      { invoice_prefix: 'FZ' },
    ),
  },
  {
    operationId: 'CouponsController_create',
    method: 'POST',
    path: (id) => `/v1/customers/${id}/coupons`,
    body: body(couponFields, { kind: 'fixed', amount: '1.00', frequency: 'once' }),
  },
  { operationId: 'CouponsController_list', method: 'GET', path: (id) => `/v1/customers/${id}/coupons`, query: ['cursor', 'limit'] },
  { operationId: 'CouponsController_remove', method: 'DELETE', path: (id) => `/v1/customers/fuzz-c/coupons/${id}` },
  {
    operationId: 'CustomerInvoicesController_close',
    method: 'POST',
    path: (id) => `/v1/customers/${id}/invoices/close`,
    body: body({ period_end: fc.oneof(dateTimeish, nastyNumber) }, {}),
  },
  {
    operationId: 'PortalTokensController_create',
    method: 'POST',
    path: (id) => `/v1/customers/${id}/portal_tokens`,
    body: body({ expires_in: nastyNumber }, { expires_in: 3600 }),
  },
  {
    operationId: 'InvoicesController_list',
    method: 'GET',
    path: () => '/v1/invoices',
    query: ['external_customer_id', 'status', 'from', 'to', 'cursor', 'limit'],
  },
  { operationId: 'InvoicesController_get', method: 'GET', path: (id) => `/v1/invoices/${id}` },
  { operationId: 'InvoicesController_finalize', method: 'POST', path: (id) => `/v1/invoices/${id}/finalize` },
  {
    operationId: 'InvoicesController_void',
    method: 'POST',
    path: (id) => `/v1/invoices/${id}/void`,
    body: body({ reason: nastyString }, { reason: 'fuzz' }),
  },
  { operationId: 'InvoicesController_reissue', method: 'POST', path: (id) => `/v1/invoices/${id}/reissue` },
  {
    operationId: 'SimulationsController_create',
    method: 'POST',
    path: () => '/v1/analytics/simulations',
    body: body(simulationFields, { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }),
  },
  { operationId: 'SimulationsController_list', method: 'GET', path: () => '/v1/analytics/simulations', query: ['cursor', 'limit'] },
  { operationId: 'SimulationsController_get', method: 'GET', path: (id) => `/v1/analytics/simulations/${id}` },
  { operationId: 'InvoicesController_markPaid', method: 'POST', path: (id) => `/v1/invoices/${id}/mark_paid` },
  {
    operationId: 'CreditsController_create',
    method: 'POST',
    path: (id) => `/v1/customers/${id}/credits`,
    body: body(creditFields, { amount: '1.00', kind: 'granted' }),
  },
  { operationId: 'CreditsController_get', method: 'GET', path: (id) => `/v1/customers/${id}/credits`, query: ['cursor', 'limit'] },
  {
    operationId: 'CreditsController_putTopUp',
    method: 'PUT',
    path: (id) => `/v1/customers/${id}/credits/top_up`,
    body: body(topUpFields, { below: '1', amount: '5', kind: 'granted' }),
  },
  { operationId: 'CreditsController_deleteTopUp', method: 'DELETE', path: (id) => `/v1/customers/${id}/credits/top_up` },
  { operationId: 'UsageAlertsController_get', method: 'GET', path: (id) => `/v1/customers/${id}/usage_alerts` },
  {
    operationId: 'UsageAlertsController_put',
    method: 'PUT',
    path: (id) => `/v1/customers/${id}/usage_alerts`,
    body: body(
      { thresholds: fc.oneof(fc.array(fc.oneof(decimalAround(21, 31), nastyNumber, nastyString), { maxLength: 22 }), anyJson) },
      { thresholds: ['100.00'] },
    ),
  },
  {
    operationId: 'WebhookEndpointsController_create',
    method: 'POST',
    path: () => '/v1/webhook_endpoints',
    body: body(
      {
        url: fc.oneof(
          nastyString,
          fc.constantFrom('http://127.0.0.1:9/x', 'ftp://x', 'https://u:p@x.test/', `https://x.test/${'a'.repeat(2100)}`),
        ),
        events: fc.oneof(
          fc.array(fc.oneof(fc.constantFrom('invoice.paid', 'usage.threshold_crossed', 'invoice.exploded'), nastyString), { maxLength: 4 }),
          anyJson,
        ),
        description: nastyString,
      },
      { url: 'http://127.0.0.1:9/fuzz', events: ['invoice.paid'] },
    ),
  },
  { operationId: 'WebhookEndpointsController_list', method: 'GET', path: () => '/v1/webhook_endpoints', query: ['cursor', 'limit'] },
  { operationId: 'WebhookEndpointsController_get', method: 'GET', path: (id) => `/v1/webhook_endpoints/${id}` },
  { operationId: 'WebhookEndpointsController_disable', method: 'DELETE', path: (id) => `/v1/webhook_endpoints/${id}` },
  {
    operationId: 'WebhookDeliveriesController_list',
    method: 'GET',
    path: () => '/v1/webhook_deliveries',
    query: ['endpoint_id', 'event', 'event_id', 'cursor', 'limit'],
  },
  { operationId: 'WebhookDeliveriesController_get', method: 'GET', path: (id) => `/v1/webhook_deliveries/${id}` },
  { operationId: 'WebhookDeliveriesController_replay', method: 'POST', path: (id) => `/v1/webhook_deliveries/${id}/replay` },
  // Unsigned (and Stripe not configured here): always 400 invalid_signature, in the API's shape, never a 5xx.
  { operationId: 'StripeWebhooksController_receive', method: 'POST', path: () => '/v1/webhooks/stripe', body: anyJson },
  { operationId: 'AnalyticsController_marginReport', method: 'GET', path: () => '/v1/analytics/margin', query: ['from', 'to', 'group_by'] },
  { operationId: 'AnalyticsController_marginCliff', method: 'GET', path: () => '/v1/analytics/margin_cliff' },
  {
    operationId: 'AnalyticsController_priceChangeList',
    method: 'GET',
    path: () => '/v1/analytics/price_changes',
    query: ['cursor', 'limit'],
  },
  { operationId: 'AnalyticsController_tasks', method: 'GET', path: () => '/v1/analytics/tasks', query: ['from', 'to', 'longest'] },
  {
    operationId: 'AnalyticsController_cacheSavings',
    method: 'GET',
    path: () => '/v1/analytics/cache_savings',
    query: ['from', 'to', 'limit'],
  },
  { operationId: 'HealthController_healthz', method: 'GET', path: () => '/healthz' },
  { operationId: 'HealthController_readyz', method: 'GET', path: () => '/readyz' },
];

/** The text of a body: JSON as a client would send it, sometimes broken, deep or huge. */
const rawBody = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: json.map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":}',
        '',
        'null',
        '[]',
        '"x"',
        '1e999999',
        '{"a":' + '9'.repeat(400) + '}',
        '['.repeat(80) + ']'.repeat(80),
        '{"a":"\\ud800"}',
        '\ufeff{}',
      ),
    },
  );
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/jsonxyz',
      'text/plain',
      'application/json; charset=latin1',
      'application/merge-patch+json',
      '',
    ),
  },
);

/** Good values of each query parameter, so most requests get past the first check and reach storage. */
const goodQuery: Record<string, fc.Arbitrary<string>> = {
  external_customer_id: fc.constantFrom('fuzz-c', 'a'.repeat(255)),
  transaction_id: fc.constantFrom('fuzz-static', 'x'),
  from: fc.oneof(
    fc.date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true }).map((d) => d.toISOString()),
    // UTC midnights: the analytics reports' ranges.
    fc.integer({ min: 0, max: 2_932_896 }).map((d) => new Date(d * 86_400_000).toISOString()),
  ),
  to: fc.integer({ min: 0, max: 253402300799999 }).map(String),
  model: fc.constantFrom('gpt-4o', 'openai/gpt-4o', 'chat'),
  provider: fc.constantFrom('openai', 'anthropic'),
  pricing_status: fc.constantFrom('pending', 'priced', 'unpriced'),
  group_by: fc.constantFrom('model', 'charge', 'day', 'task', 'feature', 'customer,model', 'day,provider'),
  longest: fc.integer({ min: 1, max: 1000 }).map(String),
  cursor: fc.constantFrom(
    Buffer.from('1').toString('base64url'),
    Buffer.from('fuzz-c').toString('base64url'),
    Buffer.from('9223372036854775807').toString('base64url'),
  ),
  limit: fc.integer({ min: 1, max: 1000 }).map(String),
  endpoint_id: fc.constantFrom('00000000-0000-4000-8000-000000000000', 'nope'),
  event_id: fc.constantFrom('00000000-0000-4000-8000-000000000000', '42'),
  event: fc.constantFrom('invoice.paid', 'usage.threshold_crossed', 'invoice.exploded'),
  status: fc.constantFrom('draft', 'finalized', 'void', 'open'),
};

function queryFor(endpoint: Endpoint): fc.Arbitrary<Record<string, string>> {
  const known = endpoint.query ?? [];
  const knownQuery = known.length
    ? fc
        .subarray(known)
        .chain((keys) =>
          fc.tuple(
            ...keys.map((k) =>
              fc.oneof({ weight: 3, arbitrary: goodQuery[k]! }, { weight: 1, arbitrary: queryValue }).map((v) => [k, v] as const),
            ),
          ),
        )
        .map((pairs) => Object.fromEntries(pairs))
    : fc.constant({});
  return fc.oneof(
    { weight: 6, arbitrary: knownQuery },
    {
      weight: 1,
      arbitrary: fc.tuple(knownQuery, fc.dictionary(nastyString, queryValue, { minKeys: 1, maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a })),
    },
  );
}

const request = fc
  .tuple(fc.constantFrom(...endpoints), fc.boolean())
  .chain(([endpoint, useIngest]) =>
    fc.tuple(
      fc.constant(endpoint),
      idValue,
      queryFor(endpoint),
      endpoint.body ? rawBody(endpoint.body) : fc.constant(undefined),
      contentType,
      fc.constant(useIngest),
    ),
  );

async function send(method: string, path: string, text: string | undefined, type: string, key: string) {
  const res = await fetch(api.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(text !== undefined && type ? { 'content-type': type } : {}) },
    body: text,
  });
  const raw = await res.text();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // checked below: every answer of the API is JSON
  }
  return { status: res.status, body: parsed, type: res.headers.get('content-type') };
}

beforeAll(async () => {
  api = await startTestApi({ RATE_SOURCES: 'none' });
  probe = new DatabaseProbe(api.databaseUrl);
  await api.request('POST', '/v1/plans', planBody);
  await api.request('POST', '/v1/customers', { external_id: 'fuzz-c', plan_code: 'fuzz-p' });
  syncId = (await api.request<RateSyncBody>('POST', '/v1/rates/sync')).body.id;
  // An invoice to read, finalize, void and reissue: a base fee bills even an empty period; a day of grace keeps it a draft.
  await api.request('POST', '/v1/plans', { ...planBody, code: 'fuzz-fee', base_fee: '5.00', grace_period_hours: 24 });
  await api.request('POST', '/v1/customers', { external_id: 'fuzz-billed', plan_code: 'fuzz-fee' });
  invoiceId = (await api.request<InvoiceBody>('POST', '/v1/customers/fuzz-billed/invoices/close')).body.id;
});
afterAll(async () => {
  await probe?.close();
  await api?.close();
});

describe('fuzzing every operation', () => {
  it('covers every operation', () => {
    expect(endpoints.map((e) => e.operationId).sort()).toEqual([...ROUTE_SCHEMAS.keys()].sort());
  });

  it('never answers 5xx; errors are in the API shape; successes match their schema', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ([endpoint, id, q, text, type, useIngest]) => {
        const pathId = id === 'sync' ? syncId : id === 'invoice' ? invoiceId : encodePart(id);
        const path = endpoint.path(pathId) + query(q);
        const key = endpoint.key === 'ingest' && useIngest ? api.ingestKey : api.adminKey;
        const res = await send(endpoint.method, path, text, type, key);
        const context = { path, text: text?.slice(0, 300), type, status: res.status, body: res.body };
        expect([context, res.status < 500]).toEqual([context, true]);
        expect([context, res.type]).toEqual([context, expect.stringMatching(/^application\/json/)]);
        const route = ROUTE_SCHEMAS.get(endpoint.operationId)!;
        const schema =
          res.status >= 400
            ? (route.responses.find((r) => r.status === res.status)?.schema ?? ErrorResponse)
            : route.responses.find((r) => r.status === res.status)?.schema;
        const parsed = schema?.safeParse(res.body);
        expect([context, parsed?.success]).toEqual([context, true]);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('stores the valid events of a batch and nothing of a rejected one', async () => {
    let batch = 0;
    const entry = fc.oneof(
      { weight: 2, arbitrary: fc.constant<'good'>('good').map((g) => [g, null] as const) },
      { weight: 3, arbitrary: withSomeBad(fc.constant(goodEvent('?')), eventFields, 2).map((e) => ['mutated', e] as const) },
      { weight: 1, arbitrary: fc.constantFrom<'surrogate'>('surrogate').chain((s) => loneSurrogate.map((c) => [s, c] as const)) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const prefix = `fz-${batch++}-${Date.now()}`;
        const events = entries.map(([kind, extra], i) => {
          const tid = `${prefix}-${i}`;
          if (kind === 'good') return goodEvent(tid);
          if (kind === 'surrogate') return { ...goodEvent(tid), metadata: { k: `v${extra}` } };
          const e = extra as Record<string, unknown>;
          // Keep our fresh id unless the mutation replaced it, so what was stored can be looked up.
          return e.transaction_id === '?' ? { ...e, transaction_id: tid } : e;
        });
        const res = await api.request<IngestBody>('POST', '/v1/events', JSON.stringify({ events }), api.ingestKey);
        expect(res.status < 500).toBe(true);
        if (res.status !== 200) {
          // The whole body refused (an event that is not an object): nothing of the batch is stored.
          expect(ErrorResponse.safeParse(res.body).success).toBe(true);
          expect(await probe.count('events', 'transaction_id LIKE $1', [`${prefix}-%`])).toBe(0);
          return;
        }
        const rows = await probe.rows<{ transaction_id: string }>('SELECT transaction_id FROM events WHERE transaction_id LIKE $1', [
          `${prefix}-%`,
        ]);
        const stored = new Set(rows.map((r) => r.transaction_id));
        events.forEach((e, i) => {
          const result = res.body.results[i];
          const tid = (e as { transaction_id?: unknown }).transaction_id;
          if (entries[i][0] === 'good') expect([i, result.status]).toEqual([i, 'accepted']);
          if (entries[i][0] === 'surrogate')
            expect([i, result.status, result.error?.details]).toEqual([
              i,
              'rejected',
              [{ field: 'metadata.k', message: expect.any(String) }],
            ]);
          if (typeof tid === 'string' && tid.startsWith(prefix))
            expect([i, result.status, stored.has(tid)]).toEqual([i, result.status, result.status === 'accepted']);
        });
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
