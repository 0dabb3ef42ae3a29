import { CreditsRepository, Transactions } from '@tollgate/db';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { CloseCustomerPeriod } from '../invoices/close-customer-period';
import { MarkInvoicePaid } from '../invoices/mark-invoice-paid';
import { ReissueInvoice } from '../invoices/reissue-invoice';
import { VoidInvoice } from '../invoices/void-invoice';
import { PreviewInvoice } from '../usage/preview-invoice';
import { CreateCreditGrant } from './create-credit-grant';
import { ExpireCreditGrants } from './expire-credit-grants';
import { GetCreditBalance } from './get-credit-balance';

// The golden scenarios of prepaid credits, by hand, against the real Postgres: grants used in priority and expiry
// order, a grant expiring mid-period, a void giving credits back, a purchased grant unusable until its invoice is
// paid. gold-mini costs $0.50 per million input tokens; the plan's markup 1 bills $1.00 per million.

let world: BillingWorld;

const grant = (
  externalId: string,
  amount: string,
  extra: { priority?: number; expiresAt?: Date; kind?: 'granted' | 'purchased'; paid?: boolean } = {},
) =>
  world.get(CreateCreditGrant).execute({
    organizationId: world.organizationId,
    externalId,
    kind: extra.kind ?? 'granted',
    amount,
    ...(extra.priority === undefined ? {} : { priority: extra.priority }),
    ...(extra.expiresAt === undefined ? {} : { expiresAt: extra.expiresAt }),
    ...(extra.paid === undefined ? {} : { paid: extra.paid }),
  });

const balance = (externalId: string) =>
  world.get(GetCreditBalance).execute({ organizationId: world.organizationId, externalId, after: null, limit: 100 });

const close = (externalId: string) => world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId });

beforeAll(async () => {
  world = await startBillingWorld('2026-03-01T00:00:00Z');
  await world.plan({
    code: 'instant',
    name: 'Instant',
    currency: 'USD',
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1' }],
  });
});

afterAll(async () => {
  await world?.close();
});

describe('prepaid credits', () => {
  it('uses grants by priority, then earliest expiry, each use a ledger entry, at finalization', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    await world.customer('order', { plan_code: 'instant' });
    const late = await grant('order', '5.00', { priority: 1 });
    const urgent = await grant('order', '3.00', { priority: 0, expiresAt: new Date('2026-06-01T00:00:00Z') });
    const soon = await grant('order', '2.00', { priority: 1, expiresAt: new Date('2026-05-01T00:00:00Z') });
    await world.usage('order', '2026-03-05T00:00:00Z', 'gold-mini', 8_000_000, 0);

    world.clock.set('2026-03-10T00:00:00Z');
    const before = await balance('order');
    expect(before).toMatchObject({ balance: '10.00', ongoing_balance: '2.00' });
    // Not consumed before finalization: the preview shows them, the wallet still has them.
    const preview = await world.get(PreviewInvoice).execute({ organizationId: world.organizationId, externalId: 'order' });
    expect(preview.credits_applied.toFixed(2)).toBe('8.00');

    const invoice = await close('order');
    expect(invoice).toMatchObject({ status: 'finalized' });
    expect([invoice.subtotal.toFixed(2), invoice.credits_applied.toFixed(2), invoice.total.toFixed(2)]).toEqual(['8.00', '8.00', '0.00']);
    expect(invoice.lines.find((l) => l.type === 'credits')?.amount.toFixed(2)).toBe('-8.00');

    const after = await balance('order');
    expect(after).toMatchObject({ balance: '2.00', ongoing_balance: '2.00' });
    const uses = after.ledger.filter((l) => l.kind === 'consumption');
    expect(uses.map((l) => [l.grant_id, l.amount, l.invoice_id])).toEqual([
      [urgent.id, '-3.00', invoice.id],
      [soon.id, '-2.00', invoice.id],
      [late.id, '-3.00', invoice.id],
    ]);
    expect(after.grants.map((g) => [g.id, g.remaining])).toEqual([[late.id, '2.00']]);
  });

  it('expires a grant mid-period: the expiry job writes the entry once, and the invoice does not use it', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    await world.customer('expiring', { plan_code: 'instant' });
    const g = await grant('expiring', '10.00', { expiresAt: new Date('2026-03-15T00:00:00Z') });
    await world.usage('expiring', '2026-03-05T00:00:00Z', 'gold-mini', 2_000_000, 0);
    expect(await balance('expiring')).toMatchObject({ balance: '10.00', ongoing_balance: '8.00' });

    world.clock.set('2026-03-16T00:00:00Z');
    const runs = await Promise.all([1, 2, 3].map(() => world.get(ExpireCreditGrants).execute()));
    expect(runs.reduce((n, r) => n + r.expired, 0)).toBeGreaterThanOrEqual(1);
    const after = await balance('expiring');
    expect(after).toMatchObject({ balance: '0.00', ongoing_balance: '-2.00', grants: [] });
    expect(after.ledger.map((l) => [l.kind, l.grant_id, l.amount])).toEqual([
      ['grant', g.id, '10.00'],
      ['expiry', g.id, '-10.00'],
    ]);

    await world.cycleAt('2026-04-01T00:00:01Z');
    const [row] = await world.billing.probe.rows<{ credits_applied: string; total: string; status: string }>(
      `SELECT trim_scale(credits_applied)::text AS credits_applied, trim_scale(total)::text AS total, status FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'expiring'`,
    );
    expect(row).toEqual({ credits_applied: '0', total: '2', status: 'finalized' });
  });

  it('gives credits back when the invoice is voided (a reversal entry, the consumption kept), and a reissue uses them again', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    await world.customer('voided', { plan_code: 'instant' });
    const g = await grant('voided', '5.00');
    await world.usage('voided', '2026-03-02T00:00:00Z', 'gold-mini', 3_000_000, 0);
    world.clock.set('2026-03-03T00:00:00Z');
    const invoice = await close('voided');
    expect(invoice.credits_applied.toFixed(2)).toBe('3.00');
    expect((await balance('voided')).balance).toBe('2.00');

    await world.get(VoidInvoice).execute({ organizationId: world.organizationId, invoiceId: invoice.id!, reason: 'wrong plan' });
    const back = await balance('voided');
    expect(back.balance).toBe('5.00');
    expect(back.ledger.map((l) => [l.kind, l.amount, l.invoice_id])).toEqual([
      ['grant', '5.00', null],
      ['consumption', '-3.00', invoice.id],
      ['reversal', '3.00', invoice.id],
    ]);
    // Voiding again changes nothing.
    await world.get(VoidInvoice).execute({ organizationId: world.organizationId, invoiceId: invoice.id!, reason: 'again' });
    expect((await balance('voided')).ledger).toHaveLength(3);

    // No grace period: the reissue is finalized at once, and takes the credits again.
    const reissued = await world.get(ReissueInvoice).execute({ organizationId: world.organizationId, invoiceId: invoice.id! });
    expect([reissued.status, reissued.credits_applied.toFixed(2)]).toEqual(['finalized', '3.00']);
    const final = await balance('voided');
    expect(final.balance).toBe('2.00');
    expect(final.ledger.filter((l) => l.kind === 'consumption').map((l) => [l.grant_id, l.amount])).toEqual([
      [g.id, '-3.00'],
      [g.id, '-3.00'],
    ]);
  });

  it('sells purchased credit on its own invoice, unusable until that is paid', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    await world.customer('buyer', { plan_code: 'instant' });
    const bought = await grant('buyer', '10.00', { kind: 'purchased' });
    expect(bought).toMatchObject({ status: 'pending', remaining: '10.00' });
    const [sale] = await world.billing.probe.rows<{ type: string; status: string; total: string; number: string | null; line: string }>(
      `SELECT i.type, i.status, trim_scale(i.total)::text AS total, i.number, l.type AS line FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
       WHERE i.id = $1`,
      [bought.invoice_id],
    );
    expect(sale).toMatchObject({ type: 'credit_purchase', status: 'finalized', total: '10', line: 'credit_purchase' });
    expect(sale.number).toMatch(/^TG-2026-\d{6}$/);

    await world.usage('buyer', '2026-03-02T00:00:00Z', 'gold-mini', 4_000_000, 0);
    const preview = () => world.get(PreviewInvoice).execute({ organizationId: world.organizationId, externalId: 'buyer' });
    expect((await preview()).credits_applied.toFixed(2)).toBe('0.00');
    expect(await balance('buyer')).toMatchObject({ balance: '0.00', ongoing_balance: '-4.00' });

    const paid = await world
      .get(MarkInvoicePaid)
      .execute({ organizationId: world.organizationId, invoiceId: bought.invoice_id!, source: 'manual' });
    expect(paid.status).toBe('paid');
    // Paid twice: the grant is activated once.
    await world.get(MarkInvoicePaid).execute({ organizationId: world.organizationId, invoiceId: bought.invoice_id!, source: 'manual' });
    expect((await preview()).credits_applied.toFixed(2)).toBe('4.00');
    const after = await balance('buyer');
    expect(after).toMatchObject({ balance: '10.00', ongoing_balance: '6.00' });
    expect(after.ledger.map((l) => [l.kind, l.amount])).toEqual([['grant', '10.00']]);
    expect(
      await world.billing.probe.count('webhook_events', `type = 'invoice.paid' AND subject_key = $1`, [`invoice:${bought.invoice_id}`]),
    ).toBe(1);

    // Collected elsewhere: usable at once, its invoice recorded paid.
    const cash = await grant('buyer', '1.50', { kind: 'purchased', paid: true });
    expect(cash.status).toBe('active');
    expect((await balance('buyer')).balance).toBe('11.50');
    const [cashInvoice] = await world.billing.probe.rows<{ status: string }>(`SELECT status FROM invoices WHERE id = $1`, [
      cash.invoice_id,
    ]);
    expect(cashInvoice.status).toBe('paid');
  });

  it('cancels a purchased grant whose invoice is voided unpaid', async () => {
    await world.customer('regret', { plan_code: 'instant' });
    const bought = await grant('regret', '7.00', { kind: 'purchased' });
    await world
      .get(VoidInvoice)
      .execute({ organizationId: world.organizationId, invoiceId: bought.invoice_id!, reason: 'changed their mind' });
    const [row] = await world.billing.probe.rows<{ status: string }>(`SELECT status FROM credit_grants WHERE id = $1`, [bought.id]);
    expect(row.status).toBe('canceled');
    await expect(
      world.get(ReissueInvoice).execute({ organizationId: world.organizationId, invoiceId: bought.invoice_id! }),
    ).rejects.toMatchObject({
      code: 'invoice_not_reissuable',
    });
    expect((await balance('regret')).grants).toEqual([]);
  });

  it('refuses amounts finer than the currency and expiries in the past', async () => {
    await expect(grant('order', '1.001')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(grant('order', '0')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(grant('order', '1', { expiresAt: new Date('2020-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(grant('nobody', '1')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the balance under concurrency', () => {
  it('never goes below zero when two transactions take more than a grant has between them', async () => {
    await world.customer('guarded', { plan_code: 'instant' });
    const g = await grant('guarded', '10.00');
    const credits = world.get(CreditsRepository);
    const take = () =>
      world.get(Transactions).run(async (tx) => {
        const [{ id }] = await tx.$queryRawUnsafe<{ id: string }[]>(
          `INSERT INTO invoices (id, organization_id, customer_id, type, status, period_start, period_end, billing_period_end, currency,
             plan_code, finalize_after) SELECT gen_random_uuid(), organization_id, customer_id, 'usage', 'void', now(), now(), now(), 'USD',
             'instant', now() FROM credit_grants WHERE id = $1::uuid RETURNING id::text`,
          g.id,
        );
        await credits.consume(tx, [{ invoice_id: id, grant_id: g.id, amount: '7' }], new Date());
      });
    const outcomes = await Promise.allSettled([take(), take()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [row] = await world.billing.probe.rows<{ remaining: string }>(
      `SELECT trim_scale(remaining)::text AS remaining FROM credit_grants WHERE id = $1`,
      [g.id],
    );
    expect(row.remaining).toBe('3');
  });
});
