import type { PlanInput } from '@tollgate/pricing';
import { ChangeCustomer } from '../customers/change-customer';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { CloseCustomerPeriod } from './close-customer-period';
import { FinalizeInvoice } from './finalize-invoice';
import { GetInvoice } from './get-invoice';
import { invoiceJson } from './invoice-view';
import { ListInvoices } from './list-invoices';

// Period ends, grace periods, approvals and late events driven by the billing clock (no waiting): the billing
// cycle runs as the worker's tick would, at instants the test chooses.

let world: BillingWorld;

const plan = (code: string, over: Partial<PlanInput> = {}): PlanInput => ({
  code,
  name: code,
  currency: 'USD',
  interval: 'month',
  charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1', margin_floor: null }],
  ...over,
});

async function invoicesOf(customer: string) {
  const { invoices } = await world
    .get(ListInvoices)
    .execute({ organizationId: world.organizationId, externalCustomerId: customer, after: null, limit: 100 });
  return invoices.map((v) => invoiceJson(v, { costs: true })).reverse();
}

const usageLines = (inv: { lines: { type: string }[] }) => inv.lines.filter((l) => l.type === 'usage' || l.type === 'late_usage');

beforeAll(async () => {
  world = await startBillingWorld('2026-06-01T00:00:00Z');
  await world.plan(plan('graceful', { grace_period_hours: 24 }));
  await world.plan(plan('approved', { requires_approval: true }));
  await world.plan(plan('weekly', { interval: 'week' }));
  await world.plan(plan('monthly'));
});

afterAll(async () => {
  await world?.close();
});

describe('the billing clock', () => {
  it('closes a period at its end into a draft that follows late events during the grace period, then finalizes it', async () => {
    await world.customer('g', { plan_code: 'graceful' });
    // gold-mini 1M in, 0 out = $0.50 cost, rated $1.00
    await world.usage('g', '2026-06-10T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.cycleAt('2026-06-30T23:59:59Z');
    expect(await invoicesOf('g')).toEqual([]);

    await world.cycleAt('2026-07-01T00:00:00Z');
    const [draft] = await invoicesOf('g');
    expect(draft).toMatchObject({ status: 'draft', number: null, finalize_after: '2026-07-02T00:00:00.000Z', total: '1.00' });

    // A June event arriving during the grace period is on the draft when read, and when the cycle refreshes it.
    await world.usage('g', '2026-06-30T23:00:00Z', 'gold-mini', 1_000_000, 0);
    expect((await invoicesOf('g'))[0]).toMatchObject({ status: 'draft', total: '2.00' });
    await world.cycleAt('2026-07-01T12:00:00Z');
    const stored = await world.billing.probe.rows<{ total: string }>(
      `SELECT trim_scale(total)::text AS total FROM invoices WHERE id = $1`,
      [draft.id],
    );
    expect(stored).toEqual([{ total: '2' }]);

    await world.cycleAt('2026-07-02T00:00:00Z');
    const [june] = await invoicesOf('g');
    expect(june).toMatchObject({
      status: 'finalized',
      number: expect.stringMatching(/^TG-2026-\d{6}$/),
      total: '2.00',
      finalized_at: '2026-07-02T00:00:00.000Z',
    });
    expect(usageLines(june)).toEqual([expect.objectContaining({ type: 'usage', events: 2, amount: '2.00' })]);

    // After finalization a June event is late usage on July's invoice; June's invoice does not change.
    await world.usage('g', '2026-06-15T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.usage('g', '2026-07-15T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.cycleAt('2026-08-02T00:00:00Z');
    const [, july] = await invoicesOf('g');
    expect((await invoicesOf('g'))[0]).toEqual(june);
    expect(july).toMatchObject({ status: 'finalized', total: '2.00' });
    expect(usageLines(july)).toEqual([
      expect.objectContaining({ type: 'usage', events: 1, amount: '1.00' }),
      expect.objectContaining({ type: 'late_usage', events: 1, amount: '1.00', period_start: '2026-06-01T00:00:00.000Z' }),
    ]);
  });

  it('keeps a draft of a plan that requires approval until an operator finalizes it', async () => {
    world.clock.set('2026-06-02T00:00:00Z');
    await world.customer('a', { plan_code: 'approved' });
    await world.usage('a', '2026-06-10T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.cycleAt('2026-07-05T00:00:00Z');
    await world.cycleAt('2026-07-20T00:00:00Z');
    const [draft] = await invoicesOf('a');
    expect(draft).toMatchObject({ status: 'draft', requires_approval: true, total: '1.00' });

    const approved = await world.get(FinalizeInvoice).execute({ organizationId: world.organizationId, invoiceId: draft.id! });
    expect(invoiceJson(approved, { costs: true })).toMatchObject({
      status: 'finalized',
      number: expect.stringMatching(/^TG-2026-/),
      total: '1.00',
    });
    // Approving again changes nothing.
    const again = await world.get(FinalizeInvoice).execute({ organizationId: world.organizationId, invoiceId: draft.id! });
    expect(again.number).toBe(approved.number);
  });

  it('cuts weekly periods and catches up on every period missed while no cycle ran', async () => {
    world.clock.set('2026-06-03T00:00:00Z'); // a Wednesday: the first week is June 1–8
    await world.customer('w', { plan_code: 'weekly' });
    await world.usage('w', '2026-06-04T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.usage('w', '2026-06-16T00:00:00Z', 'gold-mini', 2_000_000, 0);
    await world.cycleAt('2026-06-23T00:00:00Z');
    const weeks = await invoicesOf('w');
    // Weeks with usage are invoiced; the empty week in between has no line, so no invoice.
    expect(weeks.map((i) => [i.period_start.slice(0, 10), i.period_end.slice(0, 10), i.total])).toEqual([
      ['2026-06-01', '2026-06-08', '1.00'],
      ['2026-06-15', '2026-06-22', '2.00'],
    ]);
  });

  it('closes a period early on request: later usage of it is late usage on the next invoice', async () => {
    world.clock.set('2026-06-05T00:00:00Z');
    await world.customer('early', { plan_code: 'monthly' });
    await world.usage('early', '2026-06-06T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.usage('early', '2026-06-12T00:00:00Z', 'gold-mini', 2_000_000, 0);
    world.clock.set('2026-06-20T00:00:00Z');
    const closed = await world
      .get(CloseCustomerPeriod)
      .execute({ organizationId: world.organizationId, externalId: 'early', periodEnd: new Date('2026-06-10T00:00:00Z') });
    // Only the call before June 10 ($1.00); the one of June 12 comes after the close.
    expect(invoiceJson(closed, { costs: true })).toMatchObject({
      status: 'finalized',
      period_start: '2026-06-01T00:00:00.000Z',
      period_end: '2026-06-10T00:00:00.000Z',
      total: '1.00',
    });
    // Closing again returns the same invoice.
    const again = await world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId: 'early' });
    expect(again.id).toBe(closed.id);

    await world.usage('early', '2026-07-03T00:00:00Z', 'gold-mini', 4_000_000, 0);
    // The next period is the next natural one: June's remainder is billed with July.
    await world.cycleAt('2026-07-01T00:00:01Z');
    expect(await invoicesOf('early')).toHaveLength(1);
    await world.cycleAt('2026-08-01T00:00:01Z');
    const [, july] = await invoicesOf('early');
    expect(july.period_start).toBe('2026-07-01T00:00:00.000Z');
    expect(usageLines(july)).toEqual([
      expect.objectContaining({ type: 'usage', events: 1, amount: '4.00' }),
      expect.objectContaining({ type: 'late_usage', events: 1, amount: '2.00', period_start: '2026-06-01T00:00:00.000Z' }),
    ]);
    expect(july.total).toBe('6.00');
  });

  it('refuses to close at an instant in the future or before the current period, or a period with nothing to bill', async () => {
    world.clock.set('2026-08-05T00:00:00Z');
    const close = (externalId: string, periodEnd?: string) =>
      world
        .get(CloseCustomerPeriod)
        .execute({ organizationId: world.organizationId, externalId, ...(periodEnd ? { periodEnd: new Date(periodEnd) } : {}) });
    await expect(close('early', '2026-08-06T00:00:00Z')).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'period_end' }] });
    await expect(close('early', '2026-07-31T00:00:00Z')).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'period_end' }] });
    await expect(close('early')).rejects.toMatchObject({ code: 'nothing_to_bill' });
    expect(await invoicesOf('early')).toHaveLength(2);
  });

  it('moves the next close with a new plan interval', async () => {
    world.clock.set('2026-09-02T00:00:00Z');
    await world.customer('mover', { plan_code: 'monthly' });
    await world.usage('mover', '2026-09-03T00:00:00Z', 'gold-mini', 1_000_000, 0);
    world.clock.set('2026-09-04T00:00:00Z');
    await world
      .get(ChangeCustomer)
      .execute({ organizationId: world.organizationId, externalId: 'mover', changes: { plan_code: 'weekly' } });
    await world.priceAll();
    // The week of Aug 31 – Sep 7 closes on Sep 7, not at the end of the month.
    await world.cycleAt('2026-09-07T00:00:01Z');
    const [week] = await invoicesOf('mover');
    expect(week).toMatchObject({ period_start: '2026-08-31T00:00:00.000Z', period_end: '2026-09-07T00:00:00.000Z', total: '1.00' });
    const got = await world.get(GetInvoice).execute({ organizationId: world.organizationId, invoiceId: week.id! });
    expect(got.plan_code).toBe('weekly');
  });
});
