import { startBillingWorld, goldEvent, type BillingWorld } from '../../test/billing-world';
import { IngestEvents } from '../events/ingest-events';
import { FinalizeInvoice } from '../invoices/finalize-invoice';
import { PriceBatch } from '../pricing/price-batch';
import { CheckEntitlement } from '../usage/check-entitlement';
import { CreateWebhookEndpoint } from '../webhooks/create-webhook-endpoint';
import { CreateCreditGrant } from './create-credit-grant';
import { GetCreditBalance } from './get-credit-balance';
import { RefreshEntitlements } from './refresh-entitlements';
import { RefreshStaleEntitlements } from './refresh-stale-entitlements';
import { SetTopUpRule } from './set-top-up-rule';

// Credits under concurrency, against the real Postgres: many finalizations racing on one wallet never overdraw it;
// workers seeing one crossing at once make one top-up and one alert; the entitlement cache follows pricing (through
// the refresher's rounds) and every change to the wallet. gold-mini: $0.50 per million input tokens, billed $1.00 (markup 1).

let world: BillingWorld;

const grant = (externalId: string, amount: string) =>
  world.get(CreateCreditGrant).execute({ organizationId: world.organizationId, externalId, kind: 'granted', amount });
const balance = (externalId: string) =>
  world.get(GetCreditBalance).execute({ organizationId: world.organizationId, externalId, after: null, limit: 1000 });
const entitlement = (externalId: string) => world.get(CheckEntitlement).execute({ organizationId: world.organizationId, externalId });
const customerId = async (externalId: string) =>
  (await world.billing.probe.rows<{ id: string }>(`SELECT id::text FROM customers WHERE external_id = $1`, [externalId]))[0].id;

/** Stores one batch of `millions` × 1M gold-mini input tokens at `at`, without pricing it; returns its id. */
async function storeBatch(customer: string, at: string, millions: number): Promise<string> {
  await world.get(IngestEvents).execute({
    organizationId: world.organizationId,
    events: [goldEvent(customer, new Date(at).getTime(), 'gold-mini', millions * 1_000_000, 0)],
  });
  const [row] = await world.billing.probe.rows<{ id: string }>(`SELECT id::text FROM ingest_batches ORDER BY created_at DESC LIMIT 1`);
  return row.id;
}

beforeAll(async () => {
  world = await startBillingWorld('2026-01-01T00:00:00Z');
  const charges = [{ name: 'all', models: ['*'], mode: 'price' as const, markup: '1' }];
  await world.plan({ code: 'approval', name: 'Approval', currency: 'USD', requires_approval: true, charges });
  await world.plan({ code: 'instant', name: 'Instant', currency: 'USD', charges });
  await world.plan({ code: 'prepaid', name: 'Prepaid', currency: 'USD', prepaid: true, charges });
  await world.plan({
    code: 'floored',
    name: 'Floored',
    currency: 'USD',
    charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '0', margin_floor: '0.20' }],
  });
});

afterAll(async () => {
  await world?.close();
});

describe('one wallet, many finalizations at once', () => {
  it('never overdraws: the invoices take exactly what the grant had, oldest period first', async () => {
    world.clock.set('2026-01-01T00:00:00Z');
    await world.customer('racer', { plan_code: 'approval' });
    const months = ['01', '02', '03', '04', '05', '06'];
    for (const m of months) await world.usage('racer', `2026-${m}-10T00:00:00Z`, 'gold-mini', 3_000_000, 0);
    await world.cycleAt('2026-07-01T00:00:01Z');
    const drafts = await world.billing.probe.rows<{ id: string }>(
      `SELECT i.id::text FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'racer' AND i.status = 'draft'
       ORDER BY i.period_start`,
    );
    expect(drafts).toHaveLength(6);
    await grant('racer', '10.00');

    const finalized = await Promise.all(
      drafts.map((d) => world.get(FinalizeInvoice).execute({ organizationId: world.organizationId, invoiceId: d.id })),
    );
    expect(finalized.every((v) => v.status === 'finalized')).toBe(true);
    const applied = finalized.reduce((sum, v) => sum + Math.round(v.credits_applied.toNumber() * 100), 0);
    expect(applied).toBe(1000);

    const after = await balance('racer');
    expect(after.balance).toBe('0.00');
    const consumed = after.ledger.filter((l) => l.kind === 'consumption');
    expect(consumed.reduce((sum, l) => sum + Math.round(Number(l.amount) * 100), 0)).toBe(-1000);
    // Each invoice's ledger entries add up to its credits line.
    for (const v of finalized) {
      const mine = consumed.filter((l) => l.invoice_id === v.id).reduce((sum, l) => sum + Math.round(Number(l.amount) * 100), 0);
      expect(mine + Math.round(v.credits_applied.toNumber() * 100)).toBe(0);
    }
    const [row] = await world.billing.probe.rows<{ remaining: string }>(
      `SELECT trim_scale(min(remaining))::text AS remaining FROM credit_grants g JOIN customers c ON c.id = g.customer_id WHERE c.external_id = 'racer'`,
    );
    expect(row.remaining).toBe('0');
  });
});

describe('top-up rules', () => {
  it('make one top-up and one balance_low alert when two workers see the crossing at once', async () => {
    world.clock.set('2026-08-01T00:00:00Z');
    await world.customer('topped', { plan_code: 'instant' });
    await grant('topped', '10.00');
    await world.get(SetTopUpRule).execute({
      organizationId: world.organizationId,
      externalId: 'topped',
      rule: { below: '5.00', amount: '20.00', kind: 'granted' },
    });
    const a = await storeBatch('topped', '2026-08-02T00:00:00Z', 3);
    const b = await storeBatch('topped', '2026-08-02T00:00:01Z', 3);
    // Two price workers, each committing its batch and marking the customer stale; then two refreshers' rounds and
    // more looks at the wallet, all at once.
    await Promise.all([a, b].map((batchId) => world.get(PriceBatch).execute({ batchId })));
    const id = await customerId('topped');
    await Promise.all([
      ...[1, 2].map(() => world.get(RefreshStaleEntitlements).execute()),
      ...[1, 2, 3, 4].map(() => world.get(RefreshEntitlements).execute([id])),
    ]);

    const topUps = await world.billing.probe.rows<{ amount: string; status: string }>(
      `SELECT trim_scale(amount)::text AS amount, status FROM credit_grants WHERE customer_id = $1 AND source = 'top_up'`,
      [id],
    );
    expect(topUps).toEqual([{ amount: '20', status: 'active' }]);
    expect(
      await world.billing.probe.count('webhook_events', `type = 'credits.balance_low' AND subject_key LIKE $1`, [`customer:${id}:%`]),
    ).toBe(1);
    expect(await balance('topped')).toMatchObject({ balance: '30.00', ongoing_balance: '24.00' });

    // Back above the amount: armed again, and the next fall under it is a second crossing.
    await world.usage('topped', '2026-08-03T00:00:00Z', 'gold-mini', 20_000_000, 0);
    await world.get(RefreshEntitlements).execute([id]);
    expect(await world.billing.probe.count('credit_grants', `customer_id = $1 AND source = 'top_up'`, [id])).toBe(2);
    expect(
      await world.billing.probe.count('webhook_events', `type = 'credits.balance_low' AND subject_key LIKE $1`, [`customer:${id}:%`]),
    ).toBe(2);
  });

  it('sell the top-up on its own invoice when the rule says purchased: pending until paid, sold once per crossing', async () => {
    world.clock.set('2026-08-01T00:00:00Z');
    await world.customer('seller', { plan_code: 'instant' });
    await grant('seller', '2.00');
    await world.get(SetTopUpRule).execute({
      organizationId: world.organizationId,
      externalId: 'seller',
      rule: { below: '1.00', amount: '15.00', kind: 'purchased' },
    });
    await world.usage('seller', '2026-08-02T00:00:00Z', 'gold-mini', 2_000_000, 0);
    await world.usage('seller', '2026-08-02T00:00:00Z', 'gold-mini', 2_000_000, 0);
    const id = await customerId('seller');
    const sold = await world.billing.probe.rows<{ status: string; type: string }>(
      `SELECT g.status, i.type FROM credit_grants g JOIN invoices i ON i.id = g.invoice_id WHERE g.customer_id = $1 AND g.source = 'top_up'`,
      [id],
    );
    expect(sold).toEqual([{ status: 'pending', type: 'credit_purchase' }]);
  });
});

describe('the entitlement', () => {
  it('refuses a prepaid customer once its credit is used up, announces it once, and allows again after a grant', async () => {
    world.clock.set('2026-08-01T00:00:00Z');
    await world.customer('pre', { plan_code: 'prepaid' });
    expect(await entitlement('pre')).toMatchObject({ allowed: false, reason: 'credits_exhausted', ongoing_balance: '0.00' });
    await grant('pre', '2.00');
    expect(await entitlement('pre')).toMatchObject({ allowed: true, ongoing_balance: '2.00', period_usage: '0.00' });

    await world.usage('pre', '2026-08-02T00:00:00Z', 'gold-mini', 3_000_000, 0);
    // The refresher's round after pricing rewrote the cache: the read finds it fresh, with the batch in it.
    const id = await customerId('pre');
    const [cached] = await world.billing.probe.rows<{ ongoing: string; allowed: boolean }>(
      `SELECT trim_scale(ongoing_balance)::text AS ongoing, allowed FROM customer_entitlements WHERE customer_id = $1`,
      [id],
    );
    expect(cached).toEqual({ ongoing: '-1', allowed: false });
    expect(await entitlement('pre')).toMatchObject({
      allowed: false,
      reason: 'credits_exhausted',
      ongoing_balance: '-1.00',
      period_usage: '3.00',
    });
    // Two crossings: none at first, then the 2.00 used up; another batch while exhausted announces nothing more.
    const exhausted = () =>
      world.billing.probe.count('webhook_events', `type = 'credits.exhausted' AND subject_key LIKE $1`, [`customer:${id}:%`]);
    expect(await exhausted()).toBe(2);
    await world.usage('pre', '2026-08-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    expect(await exhausted()).toBe(2);

    await grant('pre', '5.00');
    expect(await entitlement('pre')).toMatchObject({ allowed: true, ongoing_balance: '3.00' });
  });

  it('refuses at the spending cap, and follows a change of the cap at once', async () => {
    world.clock.set('2026-08-01T00:00:00Z');
    await world.customer('capped', { plan_code: 'instant', spend_cap: '2.00' });
    await world.usage('capped', '2026-08-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    expect(await entitlement('capped')).toMatchObject({ allowed: true, period_usage: '1.00', spend_cap: '2' });
    await world.usage('capped', '2026-08-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    expect(await entitlement('capped')).toMatchObject({ allowed: false, reason: 'spend_cap_reached', period_usage: '2.00' });
    await world.billing.probe.rows(`UPDATE customers SET spend_cap = 5, updated_at = now() WHERE external_id = 'capped'`);
    expect(await entitlement('capped')).toMatchObject({ allowed: true, spend_cap: '5' });
  });
});

describe('invoice events', () => {
  it('publishes invoice.finalized for every finalized invoice and invoice.margin_floor_applied when a floor bound, once each', async () => {
    world.clock.set('2026-08-01T00:00:00Z');
    await world.get(CreateWebhookEndpoint).execute({
      organizationId: world.organizationId,
      url: 'http://127.0.0.1:9/invoices',
      events: ['invoice.finalized', 'invoice.margin_floor_applied'],
      description: null,
    });
    await world.customer('floor', { plan_code: 'floored' });
    await world.customer('plain', { plan_code: 'instant' });
    await world.usage('floor', '2026-08-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await world.usage('plain', '2026-08-02T00:00:00Z', 'gold-mini', 1_000_000, 0);
    await Promise.all([1, 2].map(() => world.cycleAt('2026-09-01T00:00:01Z')));
    const events = await world.billing.probe.rows<{ type: string; external_id: string; floor_lines: number | null }>(
      `SELECT e.type, c.external_id, jsonb_array_length(e.payload->'lines') AS floor_lines
       FROM webhook_events e JOIN invoices i ON e.subject_key = 'invoice:' || i.id JOIN customers c ON c.id = i.customer_id
       WHERE c.external_id IN ('floor', 'plain') ORDER BY c.external_id, e.type`,
    );
    // Each with its delivery to the endpoint.
    expect(
      await world.billing.probe.count(
        `webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id JOIN invoices i ON e.subject_key = 'invoice:' || i.id
         JOIN customers c ON c.id = i.customer_id`,
        `c.external_id IN ('floor', 'plain')`,
      ),
    ).toBe(events.length);
    expect(events).toEqual([
      { type: 'invoice.finalized', external_id: 'floor', floor_lines: null },
      { type: 'invoice.margin_floor_applied', external_id: 'floor', floor_lines: 1 },
      { type: 'invoice.finalized', external_id: 'plain', floor_lines: null },
    ]);
  });
});
