import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { seedPricedPeriod } from '../libs/testing/src/billing-data';
import { StripeTestServer } from '../libs/testing/src/stripe-server';
import { createBenchDatabase, round, startApp } from './lib';

// npm run bench:stripe [-- --invoices N --rate R --workers W --new-customers] — pushing N finalized invoices
// (default 2,000) to the project's Stripe-compatible test server, in this process, with a request limit of R
// per second (default 100, STRIPE_REQUESTS_PER_SECOND: the account's; the test server models no per-endpoint
// limit, so STRIPE_ENDPOINT_REQUESTS_PER_SECOND is 0) shared by W built worker processes (default 2).
// First the worker's billing cycle finalizes a month of priced usage for N customers (not timed); their Stripe
// customers exist already and are stored on them (known customers), unless --new-customers. Then the pushes are
// enqueued as the finalizing commit enqueues them, and timed until the last one is done. Checked after: one
// Stripe invoice per invoice, finalized, each total equal to ours.
// Targets: <= 4 calls per invoice for a known customer; >= 0.9 of the allowed request rate used.

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const invoices = arg('--invoices', 2000);
  const rate = arg('--rate', 100);
  const workerCount = arg('--workers', 2);
  const knownCustomers = !process.argv.includes('--new-customers');
  const now = new Date();
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const periodEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const prefix = `{tollgate-bench-stripe-${process.pid}}`;
  const db = await createBenchDatabase('tollgate_bench_stripe');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const server = await new StripeTestServer().start();
  const queue = new Queue('stripe', { prefix, connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } });
  const workers: ReturnType<typeof startApp>[] = [];
  const common = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_SOURCES: 'none',
    WORKER_METRICS_PORT: '0',
    BILLING_INTERVAL_SECONDS: '3600',
  };
  try {
    // The month's invoices, finalized by the worker's billing cycle (push off: no Stripe key yet).
    await seedPricedPeriod(pool, { customers: invoices, periodStart, periodEnd, graceHours: 0 });
    const closer = startApp('worker', common);
    workers.push(closer);
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE status = 'finalized'`);
      if (rows[0].n === invoices) break;
      if (closer.exitCode !== null) throw new Error(`the worker exited (${closer.exitCode}) before every invoice was finalized`);
      await sleep(200);
    }
    closer.kill('SIGTERM');
    await new Promise((r) => closer.once('exit', r));
    workers.length = 0;

    if (knownCustomers) {
      const { rows } = await pool.query<{ id: string; external_id: string }>('SELECT id::text, external_id FROM customers');
      const ids = rows.map((c) => {
        const ctx = { requestId: null, idempotencyKey: null, apiVersion: null };
        return server.ledger.createCustomer({ name: c.external_id, metadata: { tollgate_customer_id: c.id } }, ctx).id;
      });
      await pool.query(
        `UPDATE customers c SET stripe_customer_id = v.stripe FROM unnest($1::uuid[], $2::text[]) AS v(id, stripe) WHERE c.id = v.id`,
        [rows.map((c) => c.id), ids],
      );
    }
    // The pushes the finalizing transactions would have opened had the push been on.
    await pool.query(
      `INSERT INTO stripe_pushes (invoice_id, organization_id, customer_id) SELECT id, organization_id, customer_id FROM invoices`,
    );

    const stripeEnv = {
      ...common,
      STRIPE_SECRET_KEY: 'sk_test_tollgatebench',
      STRIPE_API_BASE: server.url,
      STRIPE_REQUESTS_PER_SECOND: String(rate),
      STRIPE_ENDPOINT_REQUESTS_PER_SECOND: '0',
    };
    for (let i = 0; i < workerCount; i++) workers.push(startApp('worker', stripeEnv));
    const until = Date.now() + 60_000;
    while ((await queue.getWorkers()).length < workerCount) {
      if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited at start');
      if (Date.now() > until) throw new Error('the workers did not connect to the stripe queue within a minute');
      await sleep(100);
    }

    const { rows: ids } = await pool.query<{ id: string }>('SELECT invoice_id::text AS id FROM stripe_pushes');
    const callsBefore = server.requests.length;
    const started = Date.now();
    // As StripePushes.enqueue adds them after a finalizing commit.
    await queue.addBulk(
      ids.map(({ id }) => ({
        name: 'push',
        data: { invoiceId: id },
        opts: {
          jobId: `push.${id}`,
          attempts: 11,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
    for (;;) {
      const { rows } = await pool.query<{ left: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE state <> 'done')::int AS left, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM stripe_pushes`,
      );
      if (rows[0].failed > 0) throw new Error(`${rows[0].failed} pushes failed`);
      if (rows[0].left === 0) break;
      if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited during the pushes');
      if (Date.now() - started > 30 * 60_000) throw new Error(`${rows[0].left} pushes not done after 30 minutes`);
      await sleep(100);
    }
    const seconds = (Date.now() - started) / 1000;
    const calls = server.requests.slice(callsBefore);

    // One Stripe invoice per invoice, finalized, with our total.
    const stripeInvoices = server.invoices();
    const { rows: ours } = await pool.query<{ id: string; cents: string; stripe_invoice_id: string }>(
      `SELECT id::text, (total * 100)::bigint::text AS cents, stripe_invoice_id FROM invoices`,
    );
    const byId = new Map(stripeInvoices.map((i) => [i.id, i]));
    const wrong = ours.filter((o) => {
      const theirs = byId.get(o.stripe_invoice_id);
      return !theirs || theirs.status !== 'open' || String(theirs.total) !== o.cents || theirs.metadata.tollgate_invoice_id !== o.id;
    });
    if (stripeInvoices.length !== invoices || wrong.length > 0)
      throw new Error(`${stripeInvoices.length} Stripe invoices for ${invoices} of ours; ${wrong.length} differ from ours`);

    const byOperation: Record<string, number> = {};
    for (const c of calls) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
    console.log(
      `${invoices} invoices pushed by ${workerCount} workers in ${round(seconds, 2)} s, ${calls.length} calls (${Object.entries(byOperation)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}), limit ${rate}/s, ${knownCustomers ? 'known' : 'new'} customers`,
    );
    console.log(
      JSON.stringify({
        bench: 'stripe',
        invoices,
        calls_per_invoice: round(calls.length / invoices, 2),
        seconds: round(seconds, 2),
        limit_utilisation: round(calls.length / (seconds * rate), 3),
      }),
    );
  } finally {
    for (const w of workers) {
      if (w.exitCode === null) {
        w.kill('SIGTERM');
        await new Promise((r) => w.once('exit', r));
      }
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await server.close();
    await pool.end();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
