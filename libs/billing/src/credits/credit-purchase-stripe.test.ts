import { signStripePayload } from '@tollgate/testing';
import { startStripeWorld, WEBHOOK_SECRET, type StripeWorld } from '../../test/stripe-world';
import { HandleStripeWebhook } from '../stripe/handle-stripe-webhook';
import { CreateCreditGrant } from './create-credit-grant';
import { GetCreditBalance } from './get-credit-balance';

// A credit purchase collected by Stripe: its invoice is pushed like any finalized invoice (to the project's
// Stripe-compatible test server, through the real `stripe` SDK), and Stripe's invoice.paid makes the credit usable.

let world: StripeWorld;

beforeAll(async () => {
  world = await startStripeWorld();
});

afterAll(async () => {
  await world?.close();
});

describe('a credit purchase with the Stripe push on', () => {
  it('is pushed at its amount, and granted when Stripe says it is paid (once, however often Stripe says so)', async () => {
    await world.customer('stripe-buyer', { plan_code: 'pushed' });
    const bought = await world
      .get(CreateCreditGrant)
      .execute({ organizationId: world.organizationId, externalId: 'stripe-buyer', kind: 'purchased', amount: '12.00' });
    expect(bought.status).toBe('pending');
    expect(await world.probe.count('stripe_pushes', 'invoice_id = $1', [bought.invoice_id])).toBe(1);

    expect((await world.pushUntilEnded(bought.invoice_id!)).result).toEqual({ outcome: 'ended', state: 'done' });
    const [stripeInvoice] = world.stripeInvoicesOf(bought.invoice_id!);
    expect([stripeInvoice.status, stripeInvoice.amount_due]).toEqual(['open', 1200]);

    world.server.payInvoice(stripeInvoice.id);
    const paid = world.server.events().find((e) => e.type === 'invoice.paid' && (e.data.object as { id: string }).id === stripeInvoice.id);
    const raw = JSON.stringify(paid);
    const deliver = () =>
      world.get(HandleStripeWebhook).execute({
        rawBody: Buffer.from(raw),
        signature: signStripePayload(raw, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
      });
    expect(await deliver()).toMatchObject({ outcome: 'applied' });
    expect(await deliver()).toMatchObject({ outcome: 'duplicate' });

    const wallet = await world
      .get(GetCreditBalance)
      .execute({ organizationId: world.organizationId, externalId: 'stripe-buyer', after: null, limit: 10 });
    expect(wallet.balance).toBe('12.00');
    expect(wallet.grants.map((g) => [g.id, g.status])).toEqual([[bought.id, 'active']]);
    expect(wallet.ledger.map((l) => [l.kind, l.amount])).toEqual([['grant', '12.00']]);
  });
});
