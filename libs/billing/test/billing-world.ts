import { randomBytes } from 'node:crypto';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { USAGE_DIMENSIONS, type PlanInput } from '@tollgate/pricing';
import { Clock, type TestClock } from '../src/clock';
import { CreateCustomer } from '../src/customers/create-customer';
import type { CustomerChanges } from '../src/customers/customer-commands';
import { IngestEvents, type IngestEvent } from '../src/events/ingest-events';
import { RefreshStaleEntitlements } from '../src/credits/refresh-stale-entitlements';
import { RunBillingCycle } from '../src/invoices/run-billing-cycle';
import { CreateOrganization } from '../src/organizations/create-organization';
import { CreatePlan } from '../src/plans/create-plan';
import { PriceBatch } from '../src/pricing/price-batch';
import { AddRateOverride } from '../src/rates/add-rate-override';

// The medium tests of invoices: the billing use cases on a fresh database, with a billing clock the test sets,
// an organisation, simple negotiated prices, and helpers that ingest and price events and refresh the entitlements as
// the worker would.

/** Per token: gold-o3 $2 / $8 per million input / output tokens, gold-mini $0.50 / $1.50. */
export const GOLD_PRICES = {
  'gold-o3': { input_tokens: '0.000002', output_tokens: '0.000008' },
  'gold-mini': { input_tokens: '0.0000005', output_tokens: '0.0000015' },
} as const;

export type GoldModel = keyof typeof GOLD_PRICES;

export interface BillingWorld {
  billing: TestBilling;
  clock: TestClock;
  organizationId: string;
  get: TestBilling['get'];
  /** Creates a plan from its JSON shape (docs/api.md). */
  plan(plan: PlanInput): Promise<void>;
  /** The organisation's prices of a model of provider `test` (per unit), from 2026. */
  rate(model: string, prices: Record<string, string>): Promise<void>;
  customer(externalId: string, fields?: Record<string, unknown>): Promise<void>;
  /** Stores usage events (one per entry) at `at`, then prices every batch and refreshes the entitlements it marked stale. */
  usage(customer: string, at: string | Date, model: GoldModel, input: number, output: number, count?: number): Promise<void>;
  /** Prices every batch (as the price processor would; the entitlements it marks stale wait for refreshEntitlements). */
  priceAll(): Promise<void>;
  /** Runs the entitlement refresher's rounds until none is waiting (as the worker's loop would, later). */
  refreshEntitlements(): Promise<void>;
  /** Moves the clock and runs the billing cycle, as the worker's tick would. */
  cycleAt(at: string): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;

export function goldEvent(customer: string, at: number, model: GoldModel, input: number, output: number): IngestEvent {
  return {
    transactionId: `gold-${process.pid}-${seq++}`,
    externalCustomerId: customer,
    occurredAt: at,
    timestampProvided: true,
    provider: 'test',
    model,
    usage: USAGE_DIMENSIONS.map((d) => (d === 'input_tokens' ? input : d === 'output_tokens' ? output : d === 'requests' ? 1 : 0)),
    cost: null,
    taskId: null,
    traceId: null,
    sessionId: null,
    feature: null,
    status: 'success',
    retryOf: null,
    metadata: null,
    contentHash: randomBytes(32),
  };
}

export async function startBillingWorld(start: string, env: Record<string, string> = {}): Promise<BillingWorld> {
  const billing = await startTestBilling({ TOLLGATE_TEST_NOW: start, ...env });
  const clock = billing.get(Clock) as TestClock;
  const organizationId = (await billing.get(CreateOrganization).execute({ name: 'invoices' })).id;
  const rate = async (model: string, prices: Record<string, string>) => {
    await billing
      .get(AddRateOverride)
      .execute({ organizationId, provider: 'test', model, prices, tiers: [], effectiveFrom: new Date('2026-01-01T00:00:00Z') });
  };
  for (const [model, prices] of Object.entries(GOLD_PRICES)) await rate(model, prices);
  const priceAll = async () => {
    const open = await billing.probe.rows<{ id: string }>(
      'SELECT id::text FROM ingest_batches WHERE priced_at IS NULL ORDER BY created_at',
    );
    for (const { id } of open) await billing.get(PriceBatch).execute({ batchId: id });
  };
  return {
    billing,
    clock,
    organizationId,
    get: billing.get,
    async plan(plan) {
      await billing.get(CreatePlan).execute({ organizationId, plan });
    },
    rate,
    async customer(externalId, fields = {}) {
      await billing.get(CreateCustomer).execute({ organizationId, externalId, fields: fields as CustomerChanges });
    },
    async usage(customer, at, model, input, output, count = 1) {
      const t = new Date(at).getTime();
      await billing
        .get(IngestEvents)
        .execute({ organizationId, events: Array.from({ length: count }, () => goldEvent(customer, t, model, input, output)) });
      await priceAll();
      await billing.get(RefreshStaleEntitlements).all();
    },
    priceAll,
    async refreshEntitlements() {
      await billing.get(RefreshStaleEntitlements).all();
    },
    async cycleAt(at) {
      clock.set(at);
      await billing.get(RunBillingCycle).execute();
    },
    close: () => billing.close(),
  };
}
