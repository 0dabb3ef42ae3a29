import type { PlanInput } from '@tollgate/pricing';
import { AddRateOverride } from '../rates/add-rate-override';
import { ChangePlan } from '../plans/change-plan';
import { CreateCoupon } from '../coupons/create-coupon';
import { ListCoupons } from '../coupons/list-coupons';
import { RemoveCoupon } from '../coupons/remove-coupon';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { GetInvoice } from './get-invoice';
import { invoiceJson } from './invoice-view';
import { ListInvoices } from './list-invoices';
import { ReissueInvoice } from './reissue-invoice';
import { VoidInvoice } from './void-invoice';

// After finalization: an invoice never changes but by void; a voided period is billed again only by its
// reissue; repricing never touches a billed period; coupons apply while active, `once` until an invoice uses it.

let world: BillingWorld;
const org = () => world.organizationId;

const plan = (code: string, markup: string, over: Partial<PlanInput> = {}): PlanInput => ({
  code,
  name: code,
  currency: 'USD',
  charges: [{ name: 'all', models: ['*'], mode: 'price', markup }],
  ...over,
});

async function invoicesOf(customer: string) {
  const { invoices } = await world
    .get(ListInvoices)
    .execute({ organizationId: org(), externalCustomerId: customer, after: null, limit: 100 });
  return invoices.map((v) => invoiceJson(v, { costs: true })).reverse();
}

const coupon = (
  customer: string,
  kind: 'fixed' | 'percentage',
  value: string,
  frequency: 'once' | 'forever',
  expiresAt: Date | null = null,
) => world.get(CreateCoupon).execute({ organizationId: org(), externalId: customer, kind, value, frequency, expiresAt });

beforeAll(async () => {
  world = await startBillingWorld('2026-04-01T00:00:00Z');
  await world.plan(plan('flat', '1'));
  await world.plan(plan('reprice', '1'));
});

afterAll(async () => {
  await world?.close();
});

describe('void and reissue', () => {
  it('keeps the number and the reason; the period is billed again only by its reissue, with its once coupon back', async () => {
    world.clock.set('2026-04-01T00:00:00Z');
    await world.customer('v', { plan_code: 'flat' });
    await coupon('v', 'fixed', '1.00', 'once');
    await world.usage('v', '2026-04-10T00:00:00Z', 'gold-mini', 4_000_000, 0); // $4.00
    await world.cycleAt('2026-05-01T00:00:01Z');
    const [april] = await invoicesOf('v');
    expect(april).toMatchObject({ status: 'finalized', total: '3.00' });

    world.clock.set('2026-05-03T00:00:00Z');
    const voided = invoiceJson(
      await world.get(VoidInvoice).execute({ organizationId: org(), invoiceId: april.id!, reason: 'wrong discount' }),
      { costs: true },
    );
    expect(voided).toMatchObject({
      status: 'void',
      number: april.number,
      void_reason: 'wrong discount',
      voided_at: '2026-05-03T00:00:00.000Z',
      lines: april.lines,
      total: '3.00',
    });
    // Voiding again changes nothing.
    expect((await world.get(VoidInvoice).execute({ organizationId: org(), invoiceId: april.id!, reason: 'again' })).void_reason).toBe(
      'wrong discount',
    );
    const coupons = await world.get(ListCoupons).execute({ organizationId: org(), externalId: 'v', after: null, limit: 10 });
    expect(coupons.coupons.map((c) => c.status)).toEqual(['active']);

    // The voided period is not late usage on May's invoice: it waits for its reissue.
    await world.usage('v', '2026-05-10T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.usage('v', '2026-04-20T00:00:00Z', 'gold-mini', 2_000_000, 0);
    await world.cycleAt('2026-06-01T00:00:01Z');
    const may = (await invoicesOf('v')).find((i) => i.period_start.startsWith('2026-05'))!;
    expect(may.lines.map((l) => l.type)).toEqual(['usage', 'coupon']);
    expect(may).toMatchObject({ total: '0.00' }); // $1.00 usage, the $1 coupon used here

    const reissued = invoiceJson(await world.get(ReissueInvoice).execute({ organizationId: org(), invoiceId: april.id! }), { costs: true });
    expect(reissued).toMatchObject({ status: 'finalized', period_start: april.period_start, period_end: april.period_end, total: '6.00' });
    expect(reissued.number).not.toBe(april.number);
    expect(reissued.lines).toEqual([expect.objectContaining({ type: 'usage', events: 2, amount: '6.00' })]);

    await expect(world.get(ReissueInvoice).execute({ organizationId: org(), invoiceId: april.id! })).rejects.toMatchObject({
      code: 'period_invoiced',
    });
    await expect(world.get(ReissueInvoice).execute({ organizationId: org(), invoiceId: reissued.id! })).rejects.toMatchObject({
      code: 'invoice_not_void',
    });
    // A paid invoice cannot be voided.
    await world.billing.probe.rows(`UPDATE invoices SET status = 'paid' WHERE id = $1`, [reissued.id]);
    await expect(world.get(VoidInvoice).execute({ organizationId: org(), invoiceId: reissued.id!, reason: 'x' })).rejects.toMatchObject({
      code: 'invoice_not_voidable',
    });
    await expect(world.get(GetInvoice).execute({ organizationId: org(), invoiceId: 'not-an-id' })).rejects.toMatchObject({
      kind: 'not_found',
    });
  });
});

describe('repricing', () => {
  it('never touches a finalized period: a plan change or an override reprices the open period only', async () => {
    world.clock.set('2026-04-01T00:00:00Z');
    await world.customer('r', { plan_code: 'reprice' });
    await world.usage('r', '2026-04-15T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.cycleAt('2026-05-01T00:00:01Z');
    await world.usage('r', '2026-05-15T00:00:00Z', 'gold-mini', 1_000_000, 0);
    const [april] = await invoicesOf('r');
    expect(april).toMatchObject({ status: 'finalized', total: '1.00' });

    // A new version in force since April 1 (markup 3) and an override since then (twice the price).
    world.clock.set('2026-05-20T00:00:00Z');
    await world
      .get(ChangePlan)
      .execute({ organizationId: org(), code: 'reprice', plan: plan('reprice', '3'), effectiveFrom: new Date('2026-04-01T00:00:00Z') });
    await world.priceAll();
    await world.get(AddRateOverride).execute({
      organizationId: org(),
      provider: 'test',
      model: 'gold-mini',
      prices: { input_tokens: '0.000001', output_tokens: '0.000003' },
      tiers: [],
      effectiveFrom: new Date('2026-04-01T00:00:00Z'),
    });
    await world.priceAll();
    const events = await world.billing.probe.rows<{ at: Date; rated: string }>(
      `SELECT e.occurred_at AS at, trim_scale(e.rated_amount)::text AS rated FROM events e JOIN customers c ON c.id = e.customer_id
       WHERE c.external_id = 'r' ORDER BY e.occurred_at`,
    );
    // April's event as it was billed ($0.50 × 2); May's at the override's $1.00 × 4.
    expect(events.map((e) => e.rated)).toEqual(['1', '4']);
    expect((await invoicesOf('r'))[0]).toEqual(april);
    await world.cycleAt('2026-06-01T00:00:01Z');
    expect((await invoicesOf('r'))[1]).toMatchObject({ total: '4.00', lines: [expect.objectContaining({ type: 'usage', events: 1 })] });
  });
});

describe('coupons', () => {
  it('apply to periods starting before they expire, in the order given, until removed', async () => {
    world.clock.set('2026-04-01T00:00:00Z');
    await world.customer('c', { plan_code: 'flat' });
    const expiring = await coupon('c', 'percentage', '50', 'forever', new Date('2026-05-01T00:00:00Z'));
    const forever = await coupon('c', 'fixed', '1.00', 'forever');
    // gold-o3: 2.5M input = $5 cost, $10 rated (gold-mini has an override from April: see repricing)
    await world.usage('c', '2026-04-10T00:00:00Z', 'gold-o3', 2_500_000, 0);
    await world.cycleAt('2026-05-01T00:00:01Z');
    const [april] = await invoicesOf('c');
    // 50% of 10 = 5, then $1: 4.00
    expect(april.lines.map((l) => [l.type, l.amount])).toEqual([
      ['usage', '10.00'],
      ['coupon', '-5.00'],
      ['coupon', '-1.00'],
    ]);
    expect(april.total).toBe('4.00');

    await world.usage('c', '2026-05-10T00:00:00Z', 'gold-o3', 2_500_000, 0);
    await world.get(RemoveCoupon).execute({ organizationId: org(), externalId: 'c', couponId: forever.id });
    await world.cycleAt('2026-06-01T00:00:01Z');
    const [, may] = await invoicesOf('c');
    expect(may.lines.map((l) => l.type)).toEqual(['usage']);
    const listed = await world.get(ListCoupons).execute({ organizationId: org(), externalId: 'c', after: null, limit: 10 });
    expect(listed.coupons.map((c) => [c.id, c.status])).toEqual([
      [expiring.id, 'expired'],
      [forever.id, 'removed'],
    ]);
  });

  it('refuses values that make no sense', async () => {
    await expect(coupon('c', 'percentage', '101', 'once')).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'percent' }] });
    await expect(coupon('c', 'fixed', '0', 'once')).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'amount' }] });
    await expect(coupon('c', 'fixed', '1.001', 'once')).rejects.toMatchObject({ kind: 'invalid', details: [{ field: 'amount' }] });
    await expect(coupon('c', 'fixed', '1', 'once', new Date('2020-01-01T00:00:00Z'))).rejects.toMatchObject({
      kind: 'invalid',
      details: [{ field: 'expires_at' }],
    });
    await expect(coupon('nobody', 'fixed', '1', 'once')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
