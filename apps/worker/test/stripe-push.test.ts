import { Queue } from 'bullmq';
import { QUEUES } from '@tollgate/config';
import { Decimal } from '@tollgate/money';
import {
  createTestDatabase,
  DatabaseProbe,
  seedPricedPeriod,
  startWorker,
  StripeTestServer,
  TEST_REDIS_URL,
  waitFor,
  type TestDatabase,
  type WorkerProcess,
} from '@tollgate/testing';

// The real worker pushing a month's invoices to the Stripe-compatible test server: its billing cycle finalizes
// them and enqueues their pushes, its stripe queue pushes them at the request rate it is given. Killed with
// SIGKILL while pushes are between steps (and calls are in flight), Redis' jobs then wiped as if Redis lost its
// data, and a second worker finishes from Postgres alone (the sweeper, the lapsed leases): exactly one Stripe
// invoice per Tollgate invoice, finalized, each total equal to ours.

const CUSTOMERS = 40;
const PREFIX = `{tollgate-stripe-${process.pid}}`;
let db: TestDatabase;
let probe: DatabaseProbe;
let server: StripeTestServer;
const workers: WorkerProcess[] = [];

function worker(): WorkerProcess {
  const w = startWorker({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: PREFIX,
    TOLLGATE_TEST_NOW: '2026-11-01T00:00:05Z',
    BILLING_INTERVAL_SECONDS: '1',
    SWEEP_INTERVAL_SECONDS: '1',
    STRIPE_SECRET_KEY: 'sk_test_tollgateworker',
    STRIPE_API_BASE: server.url,
    STRIPE_TIMEOUT_SECONDS: '1',
    STRIPE_RETRY_BASE_SECONDS: '0.2',
    // Slow enough that a kill lands in the middle of the pushes.
    STRIPE_REQUESTS_PER_SECOND: '40',
  });
  workers.push(w);
  return w;
}

const pushes = (where: string) => probe.count('stripe_pushes', where);

/** Empties the stripe queue in Redis, as if Redis had lost its data. */
async function wipeQueue() {
  const queue = new Queue(QUEUES.stripe, { prefix: PREFIX, connection: { url: TEST_REDIS_URL } });
  await queue.obliterate({ force: true });
  await queue.close();
}

beforeAll(async () => {
  db = await createTestDatabase();
  probe = new DatabaseProbe(db.url);
  server = await new StripeTestServer().start();
  await seedPricedPeriod(probe.pool, {
    customers: CUSTOMERS,
    periodStart: new Date('2026-10-01T00:00:00Z'),
    periodEnd: new Date('2026-11-01T00:00:00Z'),
    graceHours: 0,
  });
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await wipeQueue().catch(() => undefined);
  await probe?.close();
  await db?.drop();
  await server?.close();
});

it('pushes every invoice exactly once across a kill -9 between steps and a Redis that lost its jobs', async () => {
  // Some answers come late (the write committed, the worker waiting): a kill may land inside a call too.
  server.injectFault({ kind: 'timeout_after_commit', answerAfterMs: 300, operation: 'invoices.add_lines', times: 10 });
  const first = worker();
  await waitFor(
    async () =>
      (await pushes(`state = 'done'`)) >= 3 && (await pushes(`state IN ('customer_ready', 'invoice_created', 'lines_added')`)) > 0,
    60_000,
    `pushes under way\n${first.output()}`,
  );
  await first.kill9();
  expect(await pushes(`state <> 'done'`)).toBeGreaterThan(0);

  // Redis lost the queue: only Postgres knows what is left.
  await wipeQueue();

  const second = worker();
  await waitFor(async () => (await pushes(`state = 'done'`)) === CUSTOMERS, 90_000, `every push done\n${second.output()}`);
  await second.stop();

  const invoices = await probe.rows<{ id: string; total: string; stripe_invoice_id: string; stripe_status: string }>(
    `SELECT id::text, total::text, stripe_invoice_id, stripe_status FROM invoices ORDER BY id`,
  );
  expect(invoices).toHaveLength(CUSTOMERS);
  const stripeInvoices = server.invoices();
  // One Stripe invoice per invoice of ours, and no other; each finalized, its total ours to the cent.
  expect(stripeInvoices).toHaveLength(CUSTOMERS);
  expect(new Set(stripeInvoices.map((i) => i.metadata.tollgate_invoice_id))).toEqual(new Set(invoices.map((i) => i.id)));
  const byId = new Map(stripeInvoices.map((i) => [i.id, i]));
  for (const invoice of invoices) {
    const theirs = byId.get(invoice.stripe_invoice_id)!;
    expect([invoice.id, theirs.metadata.tollgate_invoice_id, theirs.status, invoice.stripe_status]).toEqual([
      invoice.id,
      invoice.id,
      'open',
      'open',
    ]);
    expect([invoice.id, theirs.total]).toEqual([invoice.id, new Decimal(invoice.total).times(100).toNumber()]);
  }
  // One Stripe customer per customer, stored on ours.
  expect(server.customers()).toHaveLength(CUSTOMERS);
  expect(await probe.count('customers', 'stripe_customer_id IS NULL')).toBe(0);
});
