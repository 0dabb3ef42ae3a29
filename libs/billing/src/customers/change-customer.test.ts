import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';
import { CreateOrganization } from '../organizations/create-organization';
import { CreatePlan } from '../plans/create-plan';
import { IngestEvents } from '../events/ingest-events';
import { PriceBatch } from '../pricing/price-batch';
import { invoiceJson } from '../invoices/invoice-view';
import { PreviewInvoice } from '../usage/preview-invoice';
import { testEvent } from '../test-support/events';
import { CheckEntitlement } from '../usage/check-entitlement';
import { ChangeCustomer } from './change-customer';
import { CreateCustomer } from './create-customer';

// ChangeCustomer with the real repositories and Postgres: a new plan bills the whole current period on it,
// the period cut with the new plan's interval, and the change and its repricing commit together.

const DAY = 86_400_000;
let billing: TestBilling;
let organizationId: string;

const plan = (code: string, interval: 'month' | 'year', charge: string, markup: string) => ({
  code,
  name: code,
  currency: 'USD',
  interval,
  charges: [{ name: charge, models: ['*'], mode: 'price' as const, markup, margin_floor: null, allowance_eligible: true }],
});

/** Prices every batch left to price, as the worker would. */
async function priceAll(): Promise<void> {
  const open = await billing.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL ORDER BY created_at');
  for (const { id } of open) await billing.get(PriceBatch).execute({ batchId: id });
}

const charges = (customer: string) =>
  billing.probe.rows<{ charge: string | null; pricing_status: string }>(
    `SELECT e.charge, e.pricing_status FROM events e JOIN customers c ON c.id = e.customer_id WHERE c.external_id = $1 ORDER BY e.occurred_at`,
    [customer],
  );

/** An anchor 100 days back: the yearly period began then, the monthly one within the last month. */
const anchor = () => new Date(new Date(Date.now() - 100 * DAY).toISOString().slice(0, 10) + 'T00:00:00Z');

async function customerWithUsage(externalId: string, planCode: string): Promise<void> {
  await billing.get(CreateCustomer).execute({ organizationId, externalId, fields: { plan_code: planCode, billing_anchor: anchor() } });
  // One event two months back (an earlier month of the yearly period), one yesterday.
  await billing
    .get(IngestEvents)
    .execute({ organizationId, events: [testEvent(externalId, Date.now() - 60 * DAY), testEvent(externalId, Date.now() - DAY)] });
  await priceAll();
}

beforeAll(async () => {
  billing = await startTestBilling();
  organizationId = (await billing.get(CreateOrganization).execute({ name: 'change-customer' })).id;
  await billing.get(CreatePlan).execute({ organizationId, plan: plan('year-a', 'year', 'a', '0.5') });
  await billing.get(CreatePlan).execute({ organizationId, plan: plan('year-b', 'year', 'b', '1') });
  await billing.get(CreatePlan).execute({ organizationId, plan: plan('month-a', 'month', 'a', '0.5') });
});

afterAll(async () => {
  await billing?.close();
});

describe('moving a customer to another plan', () => {
  it('from a yearly plan to another reprices every month of the year, and the preview answers', async () => {
    await customerWithUsage('yearly', 'year-a');
    expect(await charges('yearly')).toEqual([
      { charge: 'a', pricing_status: 'priced' },
      { charge: 'a', pricing_status: 'priced' },
    ]);

    await billing.get(ChangeCustomer).execute({ organizationId, externalId: 'yearly', changes: { plan_code: 'year-b' } });
    expect((await charges('yearly')).map((e) => e.pricing_status)).toEqual(['pending', 'pending']);
    await priceAll();
    expect(await charges('yearly')).toEqual([
      { charge: 'b', pricing_status: 'priced' },
      { charge: 'b', pricing_status: 'priced' },
    ]);

    const preview = invoiceJson(await billing.get(PreviewInvoice).execute({ organizationId, externalId: 'yearly' }), { costs: true });
    expect(preview).toMatchObject({ plan_code: 'year-b', period_start: anchor().toISOString() });
    expect(preview.lines.filter((l) => l.type === 'usage')).toEqual([expect.objectContaining({ charge: 'b', events: 2 })]);
    expect((await billing.get(CheckEntitlement).execute({ organizationId, externalId: 'yearly' })).allowed).toBe(true);
  });

  it('from a monthly plan to a yearly one bills the whole year on it', async () => {
    await customerWithUsage('monthly', 'month-a');
    await billing.get(ChangeCustomer).execute({ organizationId, externalId: 'monthly', changes: { plan_code: 'year-b' } });
    await priceAll();
    const preview = invoiceJson(await billing.get(PreviewInvoice).execute({ organizationId, externalId: 'monthly' }), { costs: true });
    expect(preview.period_start).toBe(anchor().toISOString());
    expect(preview.lines.filter((l) => l.type === 'usage')).toEqual([expect.objectContaining({ charge: 'b', events: 2 })]);
    // Nothing left in the monthly periods: every priced event is in one yearly aggregate.
    const aggregates = await billing.probe.rows<{ period_start: Date; charge: string; events: string }>(
      `SELECT a.period_start, a.charge, a.events::text FROM usage_aggregates a JOIN customers c ON c.id = a.customer_id WHERE c.external_id = 'monthly' AND a.events > 0`,
    );
    expect(aggregates).toEqual([{ period_start: anchor(), charge: 'b', events: '2' }]);
  });

  it('changes nothing when the repricing fails: the customer keeps its plan and its priced usage', async () => {
    await customerWithUsage('steady', 'year-a');
    // Postgres refuses the reset's write (as a lost connection or a constraint would, mid-transaction).
    await billing.probe.rows(
      `CREATE FUNCTION refuse_reset() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'reset refused'; END $$`,
    );
    await billing.probe.rows(`CREATE TRIGGER refuse_reset BEFORE UPDATE ON usage_aggregates FOR EACH ROW EXECUTE FUNCTION refuse_reset()`);
    try {
      await expect(
        billing.get(ChangeCustomer).execute({ organizationId, externalId: 'steady', changes: { plan_code: 'year-b', discount: '0.5' } }),
      ).rejects.toThrow(/reset refused/);
    } finally {
      await billing.probe.rows('DROP TRIGGER refuse_reset ON usage_aggregates');
    }
    const [customer] = await billing.probe.rows(
      `SELECT plan_code, trim_scale(discount)::text AS discount FROM customers WHERE external_id = 'steady'`,
    );
    expect(customer).toEqual({ plan_code: 'year-a', discount: '0' });
    expect(await charges('steady')).toEqual([
      { charge: 'a', pricing_status: 'priced' },
      { charge: 'a', pricing_status: 'priced' },
    ]);

    // Tried again, it all applies.
    await billing.get(ChangeCustomer).execute({ organizationId, externalId: 'steady', changes: { plan_code: 'year-b' } });
    await priceAll();
    expect((await charges('steady')).map((e) => e.charge)).toEqual(['b', 'b']);
  });

  it('does not reprice for a discount, and refuses an unknown plan or customer', async () => {
    await customerWithUsage('discounted', 'year-a');
    const changed = await billing.get(ChangeCustomer).execute({ organizationId, externalId: 'discounted', changes: { discount: '0.1' } });
    expect(changed.discount).toBe('0.1');
    expect((await charges('discounted')).map((e) => e.pricing_status)).toEqual(['priced', 'priced']);
    await expect(
      billing.get(ChangeCustomer).execute({ organizationId, externalId: 'discounted', changes: { plan_code: 'nope' } }),
    ).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'plan_code' }] });
    await expect(billing.get(ChangeCustomer).execute({ organizationId, externalId: 'nobody', changes: {} })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});
