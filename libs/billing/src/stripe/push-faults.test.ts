import { Decimal } from '@tollgate/money';
import type { StripeFaultPlan, StripeTestOperation } from '@tollgate/testing';
import { startStripeWorld, type StripeWorld } from '../../test/stripe-world';

// Exactly one Stripe invoice per Tollgate invoice whatever fails at whichever step: a 500 (nothing written, or
// saved under the key and replayed), a 429 with Retry-After, a write that commits and never answers, a connection
// dropped before or after the write. The push is run again after each retryable error, as the queue does; in
// the end Stripe's invoice is finalized, once, with our lines to the cent.

let world: StripeWorld;
let n = 0;

beforeAll(async () => {
  world = await startStripeWorld();
});

afterAll(async () => {
  await world?.close();
});

const STEPS: StripeTestOperation[] = ['customers.create', 'invoices.create', 'invoices.add_lines', 'invoices.finalize'];

/** `retried`: the push's run fails and is run again (the rest are absorbed within one run). */
const FAULTS: { name: string; fault: StripeFaultPlan; retried: boolean }[] = [
  { name: '500', fault: { kind: 'server_error' }, retried: true },
  { name: '500 saved under the key', fault: { kind: 'server_error', saved: true }, retried: true },
  // The gateway pauses every caller for Retry-After; the run waits and goes on.
  { name: '429 with Retry-After', fault: { kind: 'rate_limit', retryAfterSeconds: 1 }, retried: false },
  { name: 'a timeout after the write committed', fault: { kind: 'timeout_after_commit' }, retried: true },
  // stripe-node resends once a connection closed under it: twice, so the push sees it.
  { name: 'a connection dropped before the write', fault: { kind: 'drop_connection', times: 2 }, retried: true },
  // stripe-node's resend carries the same key and gets the committed answer back.
  { name: 'a connection dropped after the write committed', fault: { kind: 'drop_connection', afterCommit: true }, retried: false },
];

async function expectPushedOnce(invoiceId: string) {
  const stripeInvoices = world.stripeInvoicesOf(invoiceId);
  expect(stripeInvoices).toHaveLength(1);
  const [stripeInvoice] = stripeInvoices;
  expect(stripeInvoice.status).toBe('open');
  const [ours] = await world.probe.rows<{ total: string; stripe_invoice_id: string; stripe_status: string }>(
    'SELECT total::text, stripe_invoice_id, stripe_status FROM invoices WHERE id = $1',
    [invoiceId],
  );
  expect(ours).toEqual({ total: expect.any(String), stripe_invoice_id: stripeInvoice.id, stripe_status: 'open' });
  const lines = await world.probe.rows<{ description: string; amount: string }>(
    'SELECT description, amount::text FROM invoice_lines WHERE invoice_id = $1 ORDER BY position',
    [invoiceId],
  );
  const theirs = await world.stripeInvoice(stripeInvoice.id);
  expect(theirs.lines.map((l) => [l.description, l.amount.toFixed()])).toEqual(
    lines.map((l) => [l.description, new Decimal(l.amount).toFixed()]),
  );
  expect(theirs.total.equals(new Decimal(ours.total))).toBe(true);
  expect(await world.probe.rows('SELECT state FROM stripe_pushes WHERE invoice_id = $1', [invoiceId])).toEqual([{ state: 'done' }]);
}

describe.each(STEPS)('a fault at %s', (operation) => {
  it.each(FAULTS)('$name: one Stripe invoice, finalized, our lines to the cent', async ({ fault, retried }) => {
    const invoiceId = await world.finalizedInvoice(`fault-${n++}`);
    world.server.injectFault({ ...fault, operation });
    const { result, retries } = await world.pushUntilEnded(invoiceId);
    expect(result).toEqual({ outcome: 'ended', state: 'done' });
    expect(world.server.faults.pending()).toBe(0);
    expect(retries.length > 0).toBe(retried);
    await expectPushedOnce(invoiceId);
    expect(world.server.customers().filter((c) => c.metadata.tollgate_customer_id !== undefined).length).toBe(n);
  });
});

describe('a retried step reconciles with Stripe before calling again', () => {
  it('finds the invoice by our id in its metadata when the create key expired (never a second invoice)', async () => {
    const invoiceId = await world.finalizedInvoice(`expired-${n++}`);
    // The create commits but its answer never comes; then 24 hours pass: the key is forgotten.
    world.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.create' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ retryable: true, reason: 'timeout' });
    world.server.expireIdempotencyKeys();
    const mark = world.server.requests.length;
    expect((await world.pushUntilEnded(invoiceId)).result).toEqual({ outcome: 'ended', state: 'done' });
    expect(world.server.requests.slice(mark).map((r) => r.operation)).toEqual(['invoices.list', 'invoices.add_lines', 'invoices.finalize']);
    await expectPushedOnce(invoiceId);
  });

  it('sees the lines are there (the marker add_lines wrote) when that key expired', async () => {
    const invoiceId = await world.finalizedInvoice(`lines-${n++}`);
    world.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.add_lines' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ reason: 'timeout' });
    world.server.expireIdempotencyKeys();
    const mark = world.server.requests.length;
    await world.pushUntilEnded(invoiceId);
    expect(world.server.requests.slice(mark).map((r) => r.operation)).toEqual(['invoices.retrieve', 'invoices.finalize']);
    await expectPushedOnce(invoiceId);
  });

  it('takes a finalization whose answer was lost as done', async () => {
    const invoiceId = await world.finalizedInvoice(`final-${n++}`);
    world.server.injectFault({ kind: 'timeout_after_commit', operation: 'invoices.finalize' });
    await expect(world.pushUntilEnded(invoiceId, 0)).rejects.toMatchObject({ reason: 'timeout' });
    world.server.expireIdempotencyKeys();
    const mark = world.server.requests.length;
    await world.pushUntilEnded(invoiceId);
    expect(world.server.requests.slice(mark).map((r) => r.operation)).toEqual(['invoices.retrieve']);
    await expectPushedOnce(invoiceId);
  });
});
