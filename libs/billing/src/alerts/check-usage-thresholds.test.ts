import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { CreateCustomer } from '../customers/create-customer';
import { IngestEvents } from '../events/ingest-events';
import { CreateOrganization } from '../organizations/create-organization';
import { CreatePlan } from '../plans/create-plan';
import { PriceBatch } from '../pricing/price-batch';
import { testEvent } from '../test-support/events';
import { CheckEntitlement } from '../usage/check-entitlement';
import { CreateWebhookEndpoint } from '../webhooks/create-webhook-endpoint';
import { CheckUsageThresholds } from './check-usage-thresholds';
import { GetUsageAlerts } from './get-usage-alerts';
import { SetUsageAlerts } from './set-usage-alerts';

// usage.threshold_crossed with the real repositories and Postgres: a priced batch that takes a customer's period
// usage (as invoiced, the entitlement's period_usage) to an alert amount publishes one event per (customer,
// period, amount), whoever sees it and however often.

let billing: TestBilling;
let organizationId: string;

// Token mode at 1,000 per million input tokens: each test event (1,000 input, 100 output tokens) is exactly 1.00.
const DOLLAR_PLAN = {
  code: 'dollar',
  name: 'A dollar a call',
  currency: 'USD',
  charges: [
    {
      name: 'calls',
      models: ['*'],
      mode: 'token' as const,
      token_prices: { input_tokens: '1000', output_tokens: '0' },
      margin_floor: null,
      allowance_eligible: true,
    },
  ],
};

async function ingestAndPrice(customer: string, events: number): Promise<void> {
  await billing.get(IngestEvents).execute({ organizationId, events: Array.from({ length: events }, () => testEvent(customer)) });
  const open = await billing.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL ORDER BY created_at');
  for (const { id } of open) await billing.get(PriceBatch).execute({ batchId: id });
}

const crossings = (customer: string) =>
  billing.probe.rows<{ subject_key: string; payload: Record<string, string> }>(
    `SELECT w.subject_key, w.payload FROM webhook_events w JOIN customers c ON w.payload->>'customer_id' = c.id::text
     WHERE w.type = 'usage.threshold_crossed' AND c.external_id = $1 ORDER BY w.created_at, w.payload->>'threshold'`,
    [customer],
  );

async function customer(externalId: string, thresholds: string[]): Promise<string> {
  const c = await billing.get(CreateCustomer).execute({ organizationId, externalId, fields: { plan_code: 'dollar' } });
  await billing.get(SetUsageAlerts).execute({ organizationId, externalId, thresholds });
  return c.id;
}

beforeAll(async () => {
  billing = await startTestBilling();
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'usage alerts' })).id;
  await billing.get(CreatePlan).execute({ organizationId, plan: DOLLAR_PLAN });
});

afterAll(async () => {
  await billing?.close();
});

describe('usage alert amounts', () => {
  it('are kept ascending and canonical, one per amount; [] removes them', async () => {
    await billing.get(CreateCustomer).execute({ organizationId, externalId: 'settings', fields: { plan_code: 'dollar' } });
    const set = await billing
      .get(SetUsageAlerts)
      .execute({ organizationId, externalId: 'settings', thresholds: ['500.00', '100', '100.00', '0.5'] });
    expect(set).toEqual({ external_customer_id: 'settings', thresholds: ['0.5', '100', '500'] });
    expect(await billing.get(GetUsageAlerts).execute({ organizationId, externalId: 'settings' })).toEqual(set);
    expect((await billing.get(SetUsageAlerts).execute({ organizationId, externalId: 'settings', thresholds: [] })).thresholds).toEqual([]);
    await expect(billing.get(SetUsageAlerts).execute({ organizationId, externalId: 'ghost', thresholds: ['1'] })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});

describe('crossing an alert amount', () => {
  it('publishes once per amount when a priced batch reaches it, with the period usage the entitlement reports', async () => {
    const id = await customer('acme', ['2', '5.00']);
    const endpoint = await billing
      .get(CreateWebhookEndpoint)
      .execute({ organizationId, url: 'http://127.0.0.1:9/unused', events: ['usage.threshold_crossed'], description: null });

    await ingestAndPrice('acme', 1);
    expect(await crossings('acme')).toEqual([]);

    await ingestAndPrice('acme', 2);
    const entitlement = await billing.get(CheckEntitlement).execute({ organizationId, externalId: 'acme' });
    expect(entitlement.period_usage).toBe('3.00');
    const [first] = await crossings('acme');
    expect(first.payload).toEqual({
      customer_id: id,
      external_customer_id: 'acme',
      threshold: '2',
      period_usage: '3.00',
      currency: 'USD',
      period_start: expect.any(String),
      period_end: expect.any(String),
    });
    expect(first.subject_key).toBe(`customer:${id}:period:${first.payload.period_start}:threshold:2`);
    expect(new Date(first.payload.period_start).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(first.payload.period_end).getTime()).toBeGreaterThan(Date.now());
    expect(
      await billing.probe.count(
        'webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id',
        `d.endpoint_id = $1 AND e.subject_key = $2`,
        [endpoint.id, first.subject_key],
      ),
    ).toBe(1);

    // Past 2 already: more usage below 5 announces nothing; reaching 5 announces 5 only.
    await ingestAndPrice('acme', 1);
    expect(await crossings('acme')).toHaveLength(1);
    await ingestAndPrice('acme', 3);
    expect((await crossings('acme')).map((c) => [c.payload.threshold, c.payload.period_usage])).toEqual([
      ['2', '3.00'],
      ['5', '7.00'],
    ]);
  });

  it('publishes one event however many checks see the crossing at once', async () => {
    // Priced before the alert existed: no check has announced it yet.
    await billing.get(CreateCustomer).execute({ organizationId, externalId: 'raced', fields: { plan_code: 'dollar' } });
    await ingestAndPrice('raced', 2);
    await billing.get(SetUsageAlerts).execute({ organizationId, externalId: 'raced', thresholds: ['1'] });
    const [period] = await billing.probe.rows<{ customer_id: string; period_start: Date; period_end: Date }>(
      `SELECT a.customer_id::text, a.period_start, a.period_end FROM usage_aggregates a JOIN customers c ON c.id = a.customer_id WHERE c.external_id = 'raced'`,
    );
    const check = billing.get(CheckUsageThresholds);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        check.execute({
          organizationId,
          periods: [{ customerId: period.customer_id, periodStart: period.period_start, periodEnd: period.period_end }],
        }),
      ),
    );
    expect(results.reduce((n, r) => n + r.published, 0)).toBe(1);
    expect(await crossings('raced')).toHaveLength(1);
  });

  it('checks again, from Postgres, when the job of a batch already priced runs again', async () => {
    await customer('retried', ['1']);
    await ingestAndPrice('retried', 1);
    expect(await crossings('retried')).toHaveLength(1);
    // As if the check after the commit had not happened (the worker died in between): the job's retry finds
    // the batch priced and checks from what Postgres holds.
    await billing.probe.rows(
      `DELETE FROM webhook_deliveries d USING webhook_events e WHERE e.id = d.event_id AND e.payload->>'external_customer_id' = 'retried'`,
    );
    await billing.probe.rows(`DELETE FROM webhook_events WHERE payload->>'external_customer_id' = 'retried'`);
    const [{ batch_id }] = await billing.probe.rows<{ batch_id: string }>(
      `SELECT batch_id::text FROM events WHERE external_customer_id = 'retried'`,
    );
    expect(await billing.get(PriceBatch).execute({ batchId: batch_id })).toMatchObject({ outcome: 'priced', priced: 0, alreadyPriced: 0 });
    expect(await crossings('retried')).toHaveLength(1);
  });

  it('leaves customers without alerts alone', async () => {
    await billing.get(CreateCustomer).execute({ organizationId, externalId: 'quiet', fields: { plan_code: 'dollar' } });
    await ingestAndPrice('quiet', 5);
    expect(await crossings('quiet')).toEqual([]);
  });
});
