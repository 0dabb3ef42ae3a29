import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { PublishWebhookEvent } from '@tollgate/billing';
import {
  startTestApi,
  type ApiKeyListBody,
  type CouponBody,
  type CreditGrantBody,
  type CreatedOrganizationBody,
  type CreatedWebhookEndpointBody,
  type InvoiceBody,
  type RateSyncBody,
  type SimulationBody,
  type TestApi,
  type WebhookDeliveryListBody,
} from '@tollgate/testing/api-harness';
import { startTestBilling } from '@tollgate/testing/billing-harness';
import { componentSchemas, schemaObject, parameterObjects } from '../src/common/schema/openapi';
import { SimulationsController } from '../src/analytics/simulations.controller';
import { AnalyticsController } from '../src/analytics/analytics.controller';
import { ApiKeysController } from '../src/api-keys/api-keys.controller';
import { ErrorResponse } from '../src/common/schema/responses';
import { ROUTE_SCHEMAS, SchemaPipe } from '../src/common/schema/validate';
import { CouponsController } from '../src/coupons/coupons.controller';
import { CreditsController } from '../src/credits/credits.controller';
import { CustomersController } from '../src/customers/customers.controller';
import { EventsController } from '../src/events/events.controller';
import { HealthController } from '../src/health/health.controller';
import { CustomerInvoicesController } from '../src/invoices/customer-invoices.controller';
import { InvoicesController } from '../src/invoices/invoices.controller';
import { OrganizationsController } from '../src/organizations/organizations.controller';
import { PlansController } from '../src/plans/plans.controller';
import { PortalTokensController } from '../src/portal/portal-tokens.controller';
import { RatesController } from '../src/rates/rates.controller';
import { StripeWebhooksController } from '../src/stripe/stripe-webhooks.controller';
import { UsageAlertsController } from '../src/usage-alerts/usage-alerts.controller';
import { WebhookDeliveriesController } from '../src/webhooks/webhook-deliveries.controller';
import { WebhookEndpointsController } from '../src/webhooks/webhook-endpoints.controller';

// /docs is generated from the schemas the validators run: every operation documents its request and
// every response, the document's schemas are the validators' own, and real responses match them.

/** The parts of the OpenAPI document these tests read. */
interface Content {
  content: Record<string, { schema: unknown }>;
}
interface Operation {
  operationId: string;
  responses: Record<string, Content>;
  requestBody?: Content;
  parameters?: unknown[];
  security?: unknown[];
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[] }> };
}

let api: TestApi;
let doc: OpenApiDocument;
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

beforeAll(async () => {
  api = await startTestApi({ RATE_SOURCES: 'none' });
  doc = (await api.request<OpenApiDocument>('GET', '/docs-json')).body;
});
afterAll(async () => {
  await api?.close();
});

describe('the OpenAPI document', () => {
  it('documents every operation: its request where it takes one, its responses, its errors', () => {
    const ops = operations();
    expect(ops.map(({ op }) => op.operationId).sort()).toEqual([...ROUTE_SCHEMAS.keys()].sort());
    expect(ops.length).toBeGreaterThanOrEqual(24);
    for (const { path, method, op } of ops) {
      const route = ROUTE_SCHEMAS.get(op.operationId);
      expect([path, method, route !== undefined]).toEqual([path, method, true]);
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect([path, method, success.length]).toEqual([path, method, 1]);
      for (const [status, response] of Object.entries(op.responses)) {
        expect([path, method, status, response.content['application/json'].schema]).toEqual([
          path,
          method,
          status,
          expect.objectContaining({ $ref: expect.any(String) }),
        ]);
      }
      if (['post', 'put', 'patch'].includes(method) && route!.body)
        expect(op.requestBody?.content['application/json'].schema).toBeDefined();
      if (op.security?.length) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429', '503']));
      if (route!.body || route!.query || route!.path)
        expect(op.responses['400'].content['application/json'].schema).toEqual(schemaObject(ErrorResponse));
    }
  });

  it('shows the schemas the validators run, and nothing else', () => {
    expect(doc.components.schemas).toEqual(expect.objectContaining(componentSchemas()));
    for (const { op } of operations()) {
      const route = ROUTE_SCHEMAS.get(op.operationId)!;
      expect(op.requestBody?.content['application/json'].schema).toEqual(route.body ? schemaObject(route.body.documentedAs) : undefined);
      expect(op.parameters).toEqual([
        ...(route.path ? parameterObjects(route.path, 'path') : []),
        ...(route.query ? parameterObjects(route.query, 'query') : []),
      ]);
      for (const r of route.responses)
        expect(op.responses[String(r.status)].content['application/json'].schema).toEqual(schemaObject(r.schema));
    }
    // Plan currency is required by the validator, and so in the document.
    expect(doc.components.schemas.CreatePlanRequest.required).toContain('currency');
  });

  it('is what the handlers validate with: every body, query and path parameter goes through its SchemaPipe', () => {
    const controllers = [
      EventsController,
      CustomersController,
      PlansController,
      RatesController,
      OrganizationsController,
      ApiKeysController,
      HealthController,
      UsageAlertsController,
      WebhookEndpointsController,
      WebhookDeliveriesController,
      InvoicesController,
      CustomerInvoicesController,
      CouponsController,
      CreditsController,
      StripeWebhooksController,
      PortalTokensController,
      SimulationsController,
      AnalyticsController,
    ];
    let checked = 0;
    for (const controller of controllers) {
      for (const method of Object.getOwnPropertyNames(controller.prototype).filter((m) => m !== 'constructor')) {
        const args: Record<string, { index: number; pipes: unknown[] }> =
          Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
        const route = ROUTE_SCHEMAS.get(`${controller.name}_${method}`);
        for (const [key, arg] of Object.entries(args)) {
          // Nest keys a route's arguments "<RouteParamtypes>:<index>".
          const type: RouteParamtypes = Number(key.split(':')[0]);
          const expected =
            type === RouteParamtypes.BODY
              ? route?.body?.schema
              : type === RouteParamtypes.QUERY
                ? route?.query
                : type === RouteParamtypes.PARAM
                  ? route?.path
                  : null;
          if (expected === null) continue;
          const pipe = arg.pipes.find((p): p is SchemaPipe<never> => p instanceof SchemaPipe);
          expect([controller.name, method, pipe?.schema === expected && expected !== undefined]).toEqual([controller.name, method, true]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });
});

describe('real responses', () => {
  const seen = new Set<string>();

  /** Calls an operation and checks the body against what the document says for that status. */
  async function call<T = unknown>(operationId: string, method: string, path: string, body?: unknown, key?: string) {
    const res = await api.request<T>(method, path, body, key);
    const route = ROUTE_SCHEMAS.get(operationId)!;
    const declared = route.responses.find((r) => r.status === res.status);
    const schema = declared?.schema ?? (res.status >= 400 ? ErrorResponse : undefined);
    expect([operationId, res.status, schema !== undefined]).toEqual([operationId, res.status, true]);
    const parsed = schema!.safeParse(res.body);
    expect([operationId, res.status, parsed.success ? 'matches' : parsed.error.issues]).toEqual([operationId, res.status, 'matches']);
    seen.add(operationId);
    return res;
  }

  it('match their documented schemas, for every operation', async () => {
    const plan = {
      code: 'pro',
      name: 'Pro',
      currency: 'USD',
      included_usage: '20.00',
      charges: [
        {
          name: 'tok',
          models: ['*mini*'],
          mode: 'token',
          token_prices: { input_tokens: '0.3', output_tokens: '1.2' },
          margin_floor: '0.1',
        },
        { name: 'std', models: ['*'], markup: '0.3', margin_floor: '0.2', allowance_eligible: false },
      ],
    };
    expect((await call('PlansController_create', 'POST', '/v1/plans', plan)).status).toBe(201);
    await call('PlansController_create', 'POST', '/v1/plans', plan); // 409 plan_exists
    await call('PlansController_update', 'PUT', '/v1/plans/pro', { ...plan, name: 'Pro 2', effective_from: Date.now() - 1000 });
    await call('PlansController_get', 'GET', '/v1/plans/pro');
    await call('PlansController_list', 'GET', '/v1/plans?limit=1');

    await call('CustomersController_create', 'POST', '/v1/customers', {
      external_id: 'acme',
      name: 'Acme',
      plan_code: 'pro',
      discount: '0.1',
      billing_anchor: '2026-01-15',
      spend_cap: '100',
    });
    await call('CustomersController_update', 'PATCH', '/v1/customers/acme', { email: 'ops@acme.test', spend_cap: null });
    await call('CustomersController_update', 'PATCH', '/v1/customers/acme', { collection_method: 'send_invoice', days_until_due: 14 });
    await call('CustomersController_update', 'PATCH', '/v1/customers/acme', {
      collection_method: 'charge_automatically',
      days_until_due: 3,
    }); // 400
    await call('CustomersController_get', 'GET', '/v1/customers/acme');
    await call('CustomersController_list', 'GET', '/v1/customers');

    const events = [
      {
        transaction_id: 'c1',
        external_customer_id: 'acme',
        provider: 'openai',
        model: 'gpt-4o',
        usage: { input_tokens: 100, output_tokens: 10 },
        metadata: { team: 'a' },
      },
      { transaction_id: 'c2', external_customer_id: 'acme', provider: 'openai', model: 'gpt-4o', usage: { input_tokens: -1 } },
    ];
    await call('EventsController_create', 'POST', '/v1/events', { events }, api.ingestKey);
    await call('EventsController_list', 'GET', '/v1/events?limit=1');
    await call('EventsController_retry', 'POST', '/v1/events/quarantine/retry');
    await call('CustomersController_usage', 'GET', '/v1/customers/acme/usage?group_by=task');
    await call('CustomersController_entitlement', 'GET', '/v1/customers/acme/entitlement', undefined, api.ingestKey);
    await call('CustomersController_preview', 'GET', '/v1/customers/acme/invoices/preview');

    const org = await call<CreatedOrganizationBody>('OrganizationsController_createOrganization', 'POST', '/v1/organizations', {
      name: 'Other',
    });
    await call('OrganizationsController_createKey', 'POST', '/v1/api_keys', { scope: 'admin', name: 'ops' }, org.body.admin_key);
    const keys = await call<ApiKeyListBody>('ApiKeysController_list', 'GET', '/v1/api_keys?limit=5', undefined, org.body.admin_key);
    const ops = keys.body.data.find((k) => k.name === 'ops')!;
    await call('ApiKeysController_rotate', 'POST', `/v1/api_keys/${ops.id}/rotate`, undefined, org.body.admin_key);
    await call('ApiKeysController_rotate', 'POST', `/v1/api_keys/${ops.id}/rotate`, undefined, org.body.admin_key); // 409 key_rotated
    await call('ApiKeysController_revoke', 'DELETE', `/v1/api_keys/${ops.id}`, undefined, org.body.admin_key);

    await call('RatesController_get', 'GET', '/v1/rates?provider=openai&model=gpt-4o');
    await call('RatesController_addOverride', 'POST', '/v1/rates/overrides', {
      provider: 'openai',
      model: 'gpt-4o',
      prices: { input_tokens: '2', output_tokens: '8' },
      tiers: [{ min_prompt_tokens: 200001, prices: { input_tokens: '4' } }],
    });
    await call('RatesController_putAlias', 'PUT', '/v1/rates/aliases/Chat', { provider: 'openai', model: 'gpt-4o' });
    const sync = await call<RateSyncBody>('RatesController_sync', 'POST', '/v1/rates/sync');
    await call('RatesController_getSync', 'GET', `/v1/rates/syncs/${sync.body.id}`);
    await call('RatesController_approve', 'POST', `/v1/rates/syncs/${sync.body.id}/approve`); // 409 sync_not_held

    await call('UsageAlertsController_put', 'PUT', '/v1/customers/acme/usage_alerts', { thresholds: ['100.00', '500'] });
    await call('UsageAlertsController_get', 'GET', '/v1/customers/acme/usage_alerts');

    const endpoint = await call<CreatedWebhookEndpointBody>('WebhookEndpointsController_create', 'POST', '/v1/webhook_endpoints', {
      url: 'http://127.0.0.1:9/hooks',
      events: ['invoice.paid'],
      description: 'ops',
    });
    await call('WebhookEndpointsController_list', 'GET', '/v1/webhook_endpoints?limit=1');
    await call('WebhookEndpointsController_get', 'GET', `/v1/webhook_endpoints/${endpoint.body.id}`);
    // A delivery to list, read and replay: an event published beside the api, as the invoice use cases will.
    const billing = await startTestBilling({ DATABASE_URL: api.databaseUrl, QUEUE_PREFIX: api.config.queuePrefix });
    try {
      const [org] = await billing.probe.rows<{ id: string }>('SELECT id::text FROM organizations WHERE is_default');
      await billing
        .get(PublishWebhookEvent)
        .execute({ organizationId: org.id, type: 'invoice.paid', subjectKey: 'invoice:openapi', payload: { invoice_id: 'openapi' } });
    } finally {
      await billing.close();
    }
    const deliveries = await call<WebhookDeliveryListBody>(
      'WebhookDeliveriesController_list',
      'GET',
      `/v1/webhook_deliveries?endpoint_id=${endpoint.body.id}&event=invoice.paid`,
    );
    await call('WebhookDeliveriesController_get', 'GET', `/v1/webhook_deliveries/${deliveries.body.data[0].id}`);
    expect(
      (await call('WebhookDeliveriesController_replay', 'POST', `/v1/webhook_deliveries/${deliveries.body.data[0].id}/replay`)).status,
    ).toBe(201);
    await call('WebhookEndpointsController_disable', 'DELETE', `/v1/webhook_endpoints/${endpoint.body.id}`);
    await call('WebhookDeliveriesController_replay', 'POST', `/v1/webhook_deliveries/${deliveries.body.data[0].id}/replay`); // 409 endpoint_disabled

    // Invoices and coupons: a plan with a base fee bills even an empty period; an hour of grace keeps it a draft.
    await call('PlansController_create', 'POST', '/v1/plans', {
      code: 'fee',
      name: 'Fee',
      currency: 'USD',
      base_fee: '5.00',
      grace_period_hours: 1,
      charges: [{ name: 'all', models: ['*'], markup: '0' }],
    });
    await call('CustomersController_create', 'POST', '/v1/customers', { external_id: 'billed', plan_code: 'fee' });
    await call('CouponsController_create', 'POST', '/v1/customers/billed/coupons', { kind: 'fixed', amount: '1.00', frequency: 'once' });
    const gone = await call<CouponBody>('CouponsController_create', 'POST', '/v1/customers/billed/coupons', {
      kind: 'percentage',
      percent: '10',
      frequency: 'forever',
    });
    await call('CouponsController_remove', 'DELETE', `/v1/customers/billed/coupons/${gone.body.id}`);
    await call('CouponsController_list', 'GET', '/v1/customers/billed/coupons?limit=1');
    await call('CouponsController_create', 'POST', '/v1/customers/billed/coupons', { kind: 'fixed', frequency: 'once' }); // 400
    const draft = await call<InvoiceBody>('CustomerInvoicesController_close', 'POST', '/v1/customers/billed/invoices/close');
    await call('InvoicesController_list', 'GET', '/v1/invoices?status=draft');
    await call('InvoicesController_get', 'GET', `/v1/invoices/${draft.body.id}`);
    await call('InvoicesController_finalize', 'POST', `/v1/invoices/${draft.body.id}/finalize`);
    await call('InvoicesController_void', 'POST', `/v1/invoices/${draft.body.id}/void`, { reason: 'contract test' });
    await call('InvoicesController_finalize', 'POST', `/v1/invoices/${draft.body.id}/finalize`); // 409 invoice_void
    const reissued = await call<InvoiceBody>('InvoicesController_reissue', 'POST', `/v1/invoices/${draft.body.id}/reissue`);
    await call('InvoicesController_finalize', 'POST', `/v1/invoices/${reissued.body.id}/finalize`);

    // A stress test of the billed period: small, so answered finished.
    const range = { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
    const sim = await call<SimulationBody>('SimulationsController_create', 'POST', '/v1/analytics/simulations', {
      ...range,
      plan_changes: { markup: '0.5', margin_floor: null },
      price_multipliers: [{ provider: 'openai', factor: '2' }],
      usage_growth: '1.1',
    });
    expect(sim.body).toMatchObject({
      status: 'succeeded',
      result: { customers: [expect.objectContaining({ billed_then: '4', cost_then: '0' })] },
    });
    await call('SimulationsController_create', 'POST', '/v1/analytics/simulations', { from: range.to, to: range.from }); // 400
    await call('SimulationsController_list', 'GET', '/v1/analytics/simulations?limit=1');
    await call('SimulationsController_get', 'GET', `/v1/analytics/simulations/${sim.body.id}`);
    await call('SimulationsController_get', 'GET', '/v1/analytics/simulations/nope'); // 404
    await call('InvoicesController_reissue', 'POST', `/v1/invoices/${draft.body.id}/reissue`);
    await call('PortalTokensController_create', 'POST', '/v1/customers/billed/portal_tokens', { expires_in: 3600 });
    await call('PortalTokensController_create', 'POST', '/v1/customers/billed/portal_tokens', { expires_in: 1 }); // 400

    // Credits: a grant, a purchase paid offline, the balance with a page of the ledger, a top-up rule.
    await call('CreditsController_create', 'POST', '/v1/customers/billed/credits', { amount: '10.00', kind: 'granted', priority: 1 });
    const sold = await call<CreditGrantBody>('CreditsController_create', 'POST', '/v1/customers/billed/credits', {
      amount: '20.00',
      kind: 'purchased',
      expires_at: '2099-01-01T00:00:00Z',
    });
    await call('InvoicesController_markPaid', 'POST', `/v1/invoices/${sold.body.invoice_id}/mark_paid`);
    await call('InvoicesController_markPaid', 'POST', `/v1/invoices/${draft.body.id}/mark_paid`); // 409 invoice_not_payable
    await call('CreditsController_create', 'POST', '/v1/customers/billed/credits', { amount: '1.001', kind: 'granted' }); // 400
    await call('CreditsController_get', 'GET', '/v1/customers/billed/credits?limit=1');
    await call('CreditsController_putTopUp', 'PUT', '/v1/customers/billed/credits/top_up', { below: '5', amount: '10', kind: 'granted' });
    await call('CreditsController_deleteTopUp', 'DELETE', '/v1/customers/billed/credits/top_up');
    await call('OrganizationsController_organization', 'GET', '/v1/organization');
    await call('OrganizationsController_changeOrganizationSettings', 'PATCH', '/v1/organization', { invoice_prefix: 'OPS' });
    await call('OrganizationsController_changeOrganizationSettings', 'PATCH', '/v1/organization', { target_margin: '0.25' });
    await call('OrganizationsController_changeOrganizationSettings', 'PATCH', '/v1/organization', { target_margin: '1' }); // 400

    // Stripe is not configured here: a delivery cannot be verified (stripe-webhooks.test.ts checks the receipts).
    await call('StripeWebhooksController_receive', 'POST', '/v1/webhooks/stripe', {
      id: 'evt_1',
      type: 'invoice.paid',
      data: { object: {} },
    });

    await call('AnalyticsController_marginReport', 'GET', '/v1/analytics/margin?group_by=customer,model');
    await call(
      'AnalyticsController_marginReport',
      'GET',
      '/v1/analytics/margin?group_by=day&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
    );
    await call('AnalyticsController_marginReport', 'GET', '/v1/analytics/margin?group_by=model,model'); // 400
    await call('AnalyticsController_marginCliff', 'GET', '/v1/analytics/margin_cliff');
    await call('AnalyticsController_tasks', 'GET', '/v1/analytics/tasks?longest=5');
    await call('AnalyticsController_cacheSavings', 'GET', '/v1/analytics/cache_savings?limit=5');
    await call('AnalyticsController_priceChangeList', 'GET', '/v1/analytics/price_changes?limit=5');

    await call('HealthController_healthz', 'GET', '/healthz');
    await call('HealthController_readyz', 'GET', '/readyz');

    expect([...seen].sort()).toEqual(
      operations()
        .map(({ op }) => op.operationId)
        .sort(),
    );
  });
});
