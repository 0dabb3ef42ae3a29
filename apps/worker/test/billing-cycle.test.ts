import {
  createTestDatabase,
  DatabaseProbe,
  seedPricedPeriod,
  startWorker,
  waitFor,
  type TestDatabase,
  type WorkerProcess,
} from '@tollgate/testing';

// The real worker closing a month for many customers, killed with SIGKILL between closing the period into
// drafts and finalizing them, and again in the middle of finalizing: the next worker completes it from
// Postgres, each period invoiced once, numbered without a gap. Its billing clock is set per process
// (TOLLGATE_TEST_NOW, test mode only).

const CUSTOMERS = 1500;
let db: TestDatabase;
let probe: DatabaseProbe;
const workers: WorkerProcess[] = [];

function worker(now: string): WorkerProcess {
  const w = startWorker({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `{tollgate-billing-${process.pid}}`,
    TOLLGATE_TEST_NOW: now,
    BILLING_INTERVAL_SECONDS: '1',
  });
  workers.push(w);
  return w;
}

const count = async (where: string) => probe.count('invoices', where);

beforeAll(async () => {
  db = await createTestDatabase();
  probe = new DatabaseProbe(db.url);
  await seedPricedPeriod(probe.pool, {
    customers: CUSTOMERS,
    periodStart: new Date('2026-10-01T00:00:00Z'),
    periodEnd: new Date('2026-11-01T00:00:00Z'),
    graceHours: 1,
  });
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await probe?.close();
  await db?.drop();
});

it('completes, after kill -9, what a dead worker left between draft and finalize and mid-finalization', async () => {
  // At start the worker catches up: October closes into drafts, in their hour of grace.
  const first = worker('2026-11-01T00:00:05Z');
  await waitFor(async () => (await count(`status = 'draft'`)) === CUSTOMERS, 120_000, `${CUSTOMERS} drafts\n${first.output()}`);
  await first.kill9();
  expect(await count(`status <> 'draft'`)).toBe(0);

  // After the grace period: killed as soon as it has finalized some of them.
  const second = worker('2026-11-01T01:00:05Z');
  await waitFor(async () => (await count(`status = 'finalized'`)) > 0, 120_000, `a first finalization\n${second.output()}`);
  // Finalization goes in chunks of 1,000 customers: this kill usually lands in the second chunk's transaction.
  await second.kill9();

  const third = worker('2026-11-01T01:00:10Z');
  await waitFor(async () => (await count(`status = 'finalized'`)) === CUSTOMERS, 120_000, `every invoice finalized\n${third.output()}`);
  await third.stop();

  // One invoice per customer and period, numbered 1..N without a gap or a repeat, each with its lines.
  expect(await probe.count('(SELECT customer_id FROM invoices GROUP BY customer_id, period_start HAVING count(*) > 1) d')).toBe(0);
  expect(await count('true')).toBe(CUSTOMERS);
  const [numbers] = await probe.rows<{ min: string; max: string; n: number; distinct: number }>(
    `SELECT min(number) AS min, max(number) AS max, count(*)::int AS n, count(DISTINCT number)::int AS distinct FROM invoices`,
  );
  expect(numbers).toEqual({
    min: 'TG-2026-000001',
    max: `TG-2026-${String(CUSTOMERS).padStart(6, '0')}`,
    n: CUSTOMERS,
    distinct: CUSTOMERS,
  });
  expect(await probe.count('invoices i', `NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id AND l.type = 'usage')`)).toBe(
    0,
  );
  // Each invoice's total is the sum of its lines.
  expect(await probe.count('invoices i', `i.total <> (SELECT sum(amount) FROM invoice_lines l WHERE l.invoice_id = i.id)`)).toBe(0);
  // The customers' next close is the end of November.
  expect(await probe.count('customers', `next_close_at <> '2026-12-01T00:00:00Z'`)).toBe(0);
});
