import { Pool } from 'pg';
import { seedPricedPeriod } from '../libs/testing/src/billing-data';
import { cpuMeter, createBenchDatabase, round, startApp } from './lib';

// npm run bench:close [-- --customers N] — closing a month for N customers (default 10,000): each has usage
// priced on two charges in last month, written straight into Postgres as the pricing pipeline leaves it
// (customers, period aggregates). The built worker starts; its billing cycle catches up at start: closes every
// period into a draft, computes it (usage, allowance, floors, base fee), numbers and finalizes it. Timed from
// the worker's spawn until the last invoice is finalized (the worker's start-up included). Also printed: when
// its first chunk began (the start-up's share), and where the CPU went.
// Targets: >= 500 invoices/s for 10,000; 50,000 in at most 5.5 times the time of 10,000.

function customersArg(): number {
  const i = process.argv.indexOf('--customers');
  const n = i > 0 ? Number(process.argv[i + 1]) : 10_000;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--customers must be a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

async function main() {
  const customers = customersArg();
  const now = new Date();
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const periodEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const db = await createBenchDatabase('tollgate_bench_close');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  let worker: ReturnType<typeof startApp> | undefined;
  try {
    const seedStart = Date.now();
    await seedPricedPeriod(pool, { customers, periodStart, periodEnd, graceHours: 0 });
    console.log(
      `seeded ${customers} customers with usage on two charges for ${periodStart.toISOString().slice(0, 7)} in ${round((Date.now() - seedStart) / 1000)} s`,
    );

    const started = Date.now();
    worker = startApp('worker', {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `{tollgate-bench-close-${process.pid}}`,
      RATE_SOURCES: 'none',
      WORKER_METRICS_PORT: '0',
      BILLING_INTERVAL_SECONDS: '3600',
    });
    const meter = await cpuMeter(db.name, { worker: worker.pid! });
    // Polled through the customers' next_close_at index, not a count over the invoices (that would load Postgres
    // while it is measured): with no grace period a period's close and finalization commit together.
    for (;;) {
      const { rows } = await pool.query<{ due: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM customers WHERE next_close_at IS NULL OR next_close_at <= now()) AS due',
      );
      if (!rows[0].due) break;
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}) before every period was closed`);
      if (Date.now() - started > 30 * 60_000) throw new Error('periods still open after 30 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = await meter();
    const { rows: done } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE status = 'finalized'`);
    if (done[0].n !== customers) throw new Error(`${done[0].n} of ${customers} invoices finalized`);
    const { rows: first } = await pool.query<{ ms: number; lines: number }>(
      `SELECT extract(epoch FROM min(created_at))::float8 * 1000 AS ms, (SELECT count(*)::int FROM invoice_lines) AS lines FROM invoices`,
    );
    const us = (ms: number) => round((ms * 1000) / customers, 0);
    console.log(
      `${customers} invoices (${first[0].lines} lines) closed and finalized ${round(seconds, 2)} s after the worker's spawn (its first chunk began ${round((first[0].ms - started) / 1000, 2)} s after the spawn)`,
    );
    console.log(`CPU per invoice: worker ${us(cpu.worker)} us, postgres backends ${us(cpu.postgres)} us`);
    console.log(JSON.stringify({ bench: 'close', customers, seconds: round(seconds, 2), invoices_per_s: Math.round(customers / seconds) }));
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await pool.end();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
