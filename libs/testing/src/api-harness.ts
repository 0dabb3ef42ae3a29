import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { loadConfig, type TollgateConfig } from '@tollgate/config';
import type { z } from 'zod';
import { createApi } from '../../../apps/api/src/create-api';
import type { ApiKeyList, RevokedApiKey, RotatedApiKey } from '../../../apps/api/src/api-keys/api-key.schema';
import type { ErrorResponse } from '../../../apps/api/src/common/schema/responses';
import type { Coupon, CouponList } from '../../../apps/api/src/coupons/coupon.schema';
import type { CreditBalance, CreditGrant, TopUpResponse } from '../../../apps/api/src/credits/credit.schema';
import type { Customer, CustomerList, CustomerUsage, Entitlement } from '../../../apps/api/src/customers/customer.schema';
import type { Invoice, InvoiceList, InvoicePreview } from '../../../apps/api/src/invoices/invoice.schema';
import type { EventList, IngestResponse, QuarantineRetried } from '../../../apps/api/src/events/event.schema';
import type { Readiness } from '../../../apps/api/src/health/health.schema';
import type { CreatedApiKey, CreatedOrganization, Organization } from '../../../apps/api/src/organizations/organization.schema';
import type { Plan, PlanList, PlanWithVersions } from '../../../apps/api/src/plans/plan.schema';
import type { PortalTokenResponse } from '../../../apps/api/src/portal/portal-token.schema';
import type { Simulation, SimulationList } from '../../../apps/api/src/analytics/simulation.schema';
import type { Alias, Override, RateCard, RateSync } from '../../../apps/api/src/rates/rate.schema';
import type { StripeWebhookReceipt } from '../../../apps/api/src/stripe/stripe-webhook.schema';
import type { UsageAlerts } from '../../../apps/api/src/usage-alerts/usage-alerts.schema';
import type {
  CreatedWebhookEndpoint,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
} from '../../../apps/api/src/webhooks/webhook.schema';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './db';
import { fetchJson, type JsonResponse } from './json';

// Response bodies, typed by the api's own response schemas: they have no transforms, so a schema's type is its
// JSON, and apps/api/test/openapi.test.ts checks that real responses match them.
export type ErrorBody = z.output<typeof ErrorResponse>;
export type IngestBody = z.output<typeof IngestResponse>;
export type EventListBody = z.output<typeof EventList>;
export type StoredEventBody = EventListBody['data'][number];
export type QuarantineRetriedBody = z.output<typeof QuarantineRetried>;
export type PlanBody = z.output<typeof Plan>;
export type PlanWithVersionsBody = z.output<typeof PlanWithVersions>;
export type PlanListBody = z.output<typeof PlanList>;
export type CustomerBody = z.output<typeof Customer>;
export type CustomerListBody = z.output<typeof CustomerList>;
export type CustomerUsageBody = z.output<typeof CustomerUsage>;
export type EntitlementBody = z.output<typeof Entitlement>;
export type InvoicePreviewBody = z.output<typeof InvoicePreview>;
export type InvoiceBody = z.output<typeof Invoice>;
export type SimulationBody = z.output<typeof Simulation>;
export type SimulationListBody = z.output<typeof SimulationList>;
export type InvoiceListBody = z.output<typeof InvoiceList>;
export type CouponBody = z.output<typeof Coupon>;
export type CouponListBody = z.output<typeof CouponList>;
export type CreditGrantBody = z.output<typeof CreditGrant>;
export type CreditBalanceBody = z.output<typeof CreditBalance>;
export type TopUpBody = z.output<typeof TopUpResponse>;
export type OrganizationBody = z.output<typeof Organization>;
export type CreatedOrganizationBody = z.output<typeof CreatedOrganization>;
export type CreatedApiKeyBody = z.output<typeof CreatedApiKey>;
export type ApiKeyListBody = z.output<typeof ApiKeyList>;
export type RevokedApiKeyBody = z.output<typeof RevokedApiKey>;
export type RotatedApiKeyBody = z.output<typeof RotatedApiKey>;
export type RateCardBody = z.output<typeof RateCard>;
export type OverrideBody = z.output<typeof Override>;
export type AliasBody = z.output<typeof Alias>;
export type RateSyncBody = z.output<typeof RateSync>;
export type ReadinessBody = z.output<typeof Readiness>;
export type UsageAlertsBody = z.output<typeof UsageAlerts>;
export type WebhookEndpointBody = z.output<typeof WebhookEndpoint>;
export type CreatedWebhookEndpointBody = z.output<typeof CreatedWebhookEndpoint>;
export type WebhookEndpointListBody = z.output<typeof WebhookEndpointList>;
export type WebhookDeliveryBody = z.output<typeof WebhookDelivery>;
export type WebhookDeliveryListBody = z.output<typeof WebhookDeliveryList>;
export type StripeWebhookReceiptBody = z.output<typeof StripeWebhookReceipt>;
export type PortalTokenBody = z.output<typeof PortalTokenResponse>;

export const TEST_ADMIN_KEY = 'tg_admin_test_operator_key_0123456789';
/** The server secret API keys are hashed with in tests (TOLLGATE_SECRET). */
export const TEST_SECRET = 'tollgate-test-secret-0123456789abcdef-0123456789';

export interface TestApi {
  baseUrl: string;
  adminKey: string;
  ingestKey: string;
  databaseUrl: string;
  config: TollgateConfig;
  app: NestFastifyApplication;
  /**
   * fetch against the api with a key (the admin key by default). `T` is the body the test expects (the api's
   * response types are below); an error body is read with `errorOf`.
   */
  request<T = unknown>(method: string, path: string, body?: unknown, key?: string): Promise<JsonResponse<T>>;
  close(): Promise<void>;
}

/**
 * The real api on a fresh migrated database and the local Redis, listening on a free port.
 * `env` overrides configuration (e.g. DATABASE_URL pointing through a TcpProxy); `adminKey` is the key its
 * requests use by default (TOLLGATE_ADMIN_KEY's unless a database given in DATABASE_URL has other keys).
 */
export async function startTestApi(env: Record<string, string> = {}, options: { adminKey?: string } = {}): Promise<TestApi> {
  const adminKey = options.adminKey ?? TEST_ADMIN_KEY;
  let db: TestDatabase | undefined;
  if (!env.DATABASE_URL) db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db?.url,
    REDIS_URL: TEST_REDIS_URL,
    // Test mode: TOLLGATE_TEST_NOW (a test's billing clock) is honoured.
    NODE_ENV: process.env.NODE_ENV ?? 'test',
    TOLLGATE_ADMIN_KEY: TEST_ADMIN_KEY,
    TOLLGATE_SECRET: TEST_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
    // Each api gets queues of its own, so parallel test files never take each other's jobs.
    QUEUE_PREFIX: `{tollgate-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}}`,
    ...env,
  });
  const app = await createApi(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const request: TestApi['request'] = (method, path, body, key = adminKey) =>
    fetchJson(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  const created = await request<CreatedApiKeyBody>('POST', '/v1/api_keys', { scope: 'ingest', name: 'test ingest key' });
  if (created.status !== 200 && created.status !== 201) throw new Error(`could not create an ingest key: ${JSON.stringify(created.body)}`);
  return {
    baseUrl,
    adminKey,
    ingestKey: created.body.key,
    databaseUrl: config.databaseUrl,
    config,
    app,
    request,
    async close() {
      await app.close();
      await db?.drop();
    },
  };
}
