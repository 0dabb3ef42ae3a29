import { randomUUID } from 'node:crypto';
import { InvoicesRepository, Transactions, type NewDraft } from '@tollgate/db';
import { startBillingWorld, type BillingWorld } from '../../test/billing-world';
import { CloseCustomerPeriod } from './close-customer-period';
import { FinalizeInvoice } from './finalize-invoice';
import { RunBillingCycle } from './run-billing-cycle';

// Races and crashes against the real Postgres: two closes of one period make one invoice, concurrent cycles
// close each period once, and invoice numbers stay gap-free however finalizations interleave or fail.

let world: BillingWorld;

const numbers = () =>
  world.billing.probe
    .rows<{ number: string }>(`SELECT number FROM invoices WHERE number IS NOT NULL ORDER BY number`)
    .then((r) => r.map((x) => x.number));

/** TG-2026-000001 … TG-2026-00000n. */
const sequence = (n: number) => Array.from({ length: n }, (_, i) => `TG-2026-${String(i + 1).padStart(6, '0')}`);

beforeAll(async () => {
  world = await startBillingWorld('2026-03-01T00:00:00Z');
  await world.plan({
    code: 'instant',
    name: 'Instant',
    currency: 'USD',
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1' }],
  });
  await world.plan({
    code: 'approval',
    name: 'Approval',
    currency: 'USD',
    requires_approval: true,
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '1' }],
  });
});

afterAll(async () => {
  await world?.close();
});

describe('closing a period', () => {
  it('twice at once makes one invoice', async () => {
    await world.customer('twice', { plan_code: 'instant' });
    await world.usage('twice', '2026-03-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    world.clock.set('2026-03-10T00:00:00Z');
    const close = () => world.get(CloseCustomerPeriod).execute({ organizationId: world.organizationId, externalId: 'twice' });
    const [a, b, c] = await Promise.all([close(), close(), close()]);
    expect(new Set([a.id, b.id, c.id]).size).toBe(1);
    expect(await world.billing.probe.count('invoices i JOIN customers c ON c.id = i.customer_id', `c.external_id = 'twice'`)).toBe(1);
    expect(a).toMatchObject({ status: 'finalized' });
  });

  it('by billing cycles running at once closes and finalizes each period once', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    for (let i = 0; i < 40; i++) await world.customer(`cycle-${i}`, { plan_code: 'instant' });
    for (let i = 0; i < 40; i++) await world.usage(`cycle-${i}`, '2026-03-05T00:00:00Z', 'gold-mini', 1_000_000 * (i + 1), 0);
    world.clock.set('2026-04-01T00:00:01Z');
    await Promise.all(Array.from({ length: 4 }, () => world.get(RunBillingCycle).execute()));
    const rows = await world.billing.probe.rows<{ external_id: string; n: number; status: string }>(
      `SELECT c.external_id, count(*)::int AS n, min(i.status) AS status FROM invoices i JOIN customers c ON c.id = i.customer_id
       WHERE c.external_id LIKE 'cycle-%' GROUP BY 1`,
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.n === 1 && r.status === 'finalized')).toBe(true);
  });
});

describe('invoice numbers', () => {
  it('stay gap-free under concurrent finalizations across customers of one organisation, a failed one included', async () => {
    world.clock.set('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++) await world.customer(`approve-${i}`, { plan_code: 'approval' });
    for (let i = 0; i < 30; i++) await world.usage(`approve-${i}`, '2026-03-07T00:00:00Z', 'gold-mini', 1_000_000, 0);
    world.clock.set('2026-04-01T00:00:01Z');
    await world.get(RunBillingCycle).execute();
    const drafts = await world.billing.probe.rows<{ id: string; external_id: string }>(
      `SELECT i.id::text, c.external_id FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.status = 'draft' AND c.external_id LIKE 'approve-%'`,
    );
    expect(drafts).toHaveLength(30);
    const before = (await numbers()).length;

    // One finalization fails after taking its number (its lines cannot be written): it must give the number back.
    await world.billing.probe.rows(`CREATE FUNCTION refuse_line() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.customer_id = (SELECT id FROM customers WHERE external_id = 'approve-7') THEN RAISE EXCEPTION 'line refused'; END IF;
      RETURN NEW; END $$`);
    await world.billing.probe.rows(`CREATE TRIGGER refuse_line BEFORE INSERT ON invoice_lines FOR EACH ROW EXECUTE FUNCTION refuse_line()`);
    try {
      const results = await Promise.allSettled(
        drafts.map((d) => world.get(FinalizeInvoice).execute({ organizationId: world.organizationId, invoiceId: d.id })),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    } finally {
      await world.billing.probe.rows('DROP TRIGGER refuse_line ON invoice_lines');
    }
    expect(await numbers()).toEqual(sequence(before + 29));

    const failed = drafts.find((d) => d.external_id === 'approve-7')!;
    await world.get(FinalizeInvoice).execute({ organizationId: world.organizationId, invoiceId: failed.id });
    expect(await numbers()).toEqual(sequence(before + 30));
  });
});

describe('the one-invoice-per-period key', () => {
  it('lets one of two drafts inserted at once for a period in, without any lock', async () => {
    const [customer] = await world.billing.probe.rows<{ id: string }>(`SELECT id::text FROM customers WHERE external_id = 'twice'`);
    const draft = (): NewDraft => ({
      id: randomUUID(),
      organization_id: world.organizationId,
      customer_id: customer.id,
      period_start: new Date('2026-05-01T00:00:00Z'),
      period_end: new Date('2026-06-01T00:00:00Z'),
      billing_period_end: new Date('2026-06-01T00:00:00Z'),
      usage_through: null,
      currency: 'USD',
      plan_code: 'instant',
      plan_version_id: randomUUID(),
      plan_version: 1,
      discount: '0',
      finalize_after: new Date('2026-06-01T00:00:00Z'),
      requires_approval: false,
    });
    const insert = () => world.get(Transactions).run((tx) => world.get(InvoicesRepository).insertDrafts(tx, [draft()]));
    const inserted = await Promise.all([insert(), insert()]);
    expect(inserted.flat()).toHaveLength(1);
    // Once void, the period takes a new invoice.
    await world.billing.probe.rows(`UPDATE invoices SET status = 'void' WHERE id = $1`, [inserted.flat()[0]]);
    expect(await insert()).toHaveLength(1);
  });
});
