import { Pool } from 'pg';
import { GetMarginReport } from '@tollgate/billing';
import { AnalyticsRollupsRepository } from '@tollgate/db';
import { seedPlan } from '../libs/testing/src/billing-data';
import { startTestBilling } from '../libs/testing/src/billing-harness';
import { BENCH_SECRET, createBenchDatabase, round } from './lib';
import { measureSimulation } from './simulation';

// npm run bench:analytics [-- --events N --customers N] — an organisation with 10,000 customers and 10,000,000
// priced events over the 30 days of November 2026 (by default), generated straight into Postgres as the pricing
// pipeline leaves them: events (4 models on two charges, 3 task kinds and features, tasks of ~6 calls, cache reads on
// a quarter of the calls), their period aggregates, each customer's finalized November invoice (a line per charge and
// a base fee). The rollups are built from the events by the statement the pricing write runs (rebuild). Then the
// margin report over November is timed per customer and per customer and model: the median of 5 runs after one
// warm-up, in process (the use case, its SQL and the JSON it answers). Target: each at most 500 ms.
// Then one stress test (POST /v1/analytics/simulations' RunSimulation, in process) re-prices November's billed events
// under a price multiplier, a routing shift and growth: simulation_events_per_s (target: at least 200,000).

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-12-01T00:00:00Z');
const CHUNK = 1_000_000;

/** Per token (USD): input, output, cache read; the charge (premium: +50%, standard: +30%). */
const MODELS = [
  ['o3', '0.000002', '0.000008', '0.0000005', 'premium', '1.5'],
  ['claude-opus-4', '0.000015', '0.000075', '0.0000015', 'premium', '1.5'],
  ['gpt-4o-mini', '0.00000015', '0.0000006', '0.000000075', 'standard', '1.3'],
  ['claude-haiku', '0.0000008', '0.000004', '0.00000008', 'standard', '1.3'],
] as const;

async function seed(pool: Pool, customers: number, events: number): Promise<string> {
  const org = await pool.query<{ id: string }>(
    `INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'bench') RETURNING id::text`,
  );
  const organizationId = org.rows[0].id;
  await pool.query(
    `INSERT INTO plans (id, organization_id, code, version, definition, effective_from) VALUES (gen_random_uuid(), $1, 'seeded', 1, $2, 'epoch')`,
    [organizationId, JSON.stringify(seedPlan(0))],
  );
  await pool.query(
    `INSERT INTO customers (id, organization_id, external_id, plan_code, created_at)
     SELECT gen_random_uuid(), $1, 'customer-' || lpad(g::text, 7, '0'), 'seeded', $2 FROM generate_series(0, $3 - 1) g`,
    [organizationId, FROM, customers],
  );
  await pool.query(
    `CREATE UNLOGGED TABLE bench_models (m int PRIMARY KEY, model text, input numeric, output numeric, cache_read numeric, charge text, markup numeric, card uuid)`,
  );
  for (const [i, [model, input, output, cacheRead, charge, markup]] of MODELS.entries()) {
    const card = await pool.query<{ id: string }>(
      `INSERT INTO rate_card_versions (id, scope, provider, model, prices, source, effective_from, fetched_at, content_hash)
       VALUES (gen_random_uuid(), $3, 'bench', $1, $2, 'override', 'epoch', now(), $1) RETURNING id::text`,
      [model, JSON.stringify({ input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead }), organizationId],
    );
    await pool.query(`INSERT INTO bench_models VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      i,
      model,
      input,
      output,
      cacheRead,
      charge,
      markup,
      card.rows[0].id,
    ]);
  }
  await pool.query(
    `CREATE UNLOGGED TABLE bench_customers AS SELECT id, row_number() OVER (ORDER BY external_id)::int - 1 AS c FROM customers WHERE organization_id = $1`,
    [organizationId],
  );
  await pool.query('CREATE UNIQUE INDEX ON bench_customers (c)');
  const perCustomer = Math.ceil(events / customers);
  for (let first = 0; first < events; first += CHUNK) {
    const started = Date.now();
    // Event i: customer i mod C, its k-th call (k = i / C) spread over the 30 days; two models per customer, a
    // task kind (and feature) per call, tasks of 6 consecutive calls, a retry every 50th call.
    await pool.query(
      `INSERT INTO events (organization_id, transaction_id, customer_id, external_customer_id, batch_id, occurred_at, timestamp_provided,
         provider, model, input_tokens, output_tokens, cache_read_tokens, requests, task_id, feature, status, retry_of, metadata, content_hash,
         pricing_status, provider_cost, rated_amount, rate_card_id, charge, period_start, priced_at)
       SELECT $1, 'bench-' || i, bc.id, 'customer-' || lpad(bc.c::text, 7, '0'), '00000000-0000-4000-8000-000000000000',
         $2::timestamptz + (k::float8 / $4 * 2588000 + (i % 3600)) * interval '1 second', true,
         'bench', m.model, inp, outp, cr, 1, bc.c || '-' || (k / 6), (ARRAY['chat', 'search', 'agent'])[1 + kind],
         CASE WHEN i % 50 = 0 THEN 'error' ELSE 'success' END, NULL,
         jsonb_build_object('task_name', (ARRAY['triage', 'summarise', 'research'])[1 + kind]), '\\x00'::bytea,
         'priced', inp * m.input + outp * m.output + cr * m.cache_read, (inp * m.input + outp * m.output + cr * m.cache_read) * m.markup,
         m.card, m.charge, $2::timestamptz, now()
       FROM (SELECT i, i % $3 AS c, i / $3 AS k, ((i / $3) / 6) % 3 AS kind,
               500 + (i * 7919) % 5000 AS inp, 50 + (i * 104729) % 800 AS outp, CASE WHEN i % 4 = 0 THEN 2000 ELSE 0 END AS cr
             FROM generate_series($5::bigint, $6::bigint) i) g
       JOIN bench_customers bc ON bc.c = g.c
       JOIN bench_models m ON m.m = (g.c % 4 + CASE WHEN g.i % 3 = 0 THEN 1 ELSE 0 END) % 4`,
      [organizationId, FROM, customers, perCustomer, first, Math.min(events, first + CHUNK) - 1],
    );
    console.log(`events ${first + CHUNK > events ? events : first + CHUNK} of ${events} (${round((Date.now() - started) / 1000)} s)`);
  }
  await pool.query(
    `INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost, rated_amount,
       input_tokens, output_tokens, cache_read_tokens, requests)
     SELECT organization_id, customer_id, $2, $3, charge, count(*), sum(provider_cost), sum(rated_amount), sum(input_tokens), sum(output_tokens),
       sum(cache_read_tokens), sum(requests)
     FROM events WHERE organization_id = $1 GROUP BY organization_id, customer_id, charge`,
    [organizationId, FROM, TO],
  );
  // The November invoice of each customer, finalized: a usage line per charge (rounded half away from zero, as the
  // invoice does) and the plan's base fee.
  await pool.query(
    `INSERT INTO invoices (id, organization_id, customer_id, status, period_start, period_end, billing_period_end, currency, plan_code,
       plan_version_id, plan_version, subtotal, total, number, finalize_after, finalized_at, computed_at)
     SELECT gen_random_uuid(), $1, c.id, 'finalized', $2, $3, $3, 'USD', 'seeded', (SELECT id FROM plans WHERE organization_id = $1), 1,
       0, 0, 'BENCH-2026-' || lpad(bc.c::text, 7, '0'), $3, $3, $3
     FROM customers c JOIN bench_customers bc ON bc.id = c.id WHERE c.organization_id = $1`,
    [organizationId, FROM, TO],
  );
  await pool.query(
    `INSERT INTO invoice_lines (id, invoice_id, customer_id, position, type, description, charge, provider_cost, amount, amount_precise,
       period_start, events, rated_amount)
     SELECT gen_random_uuid(), i.id, i.customer_id, CASE a.charge WHEN 'premium' THEN 0 ELSE 1 END, 'usage', 'Usage: ' || a.charge, a.charge,
       a.provider_cost, round(a.rated_amount, 2), a.rated_amount, a.period_start, a.events, a.rated_amount
     FROM invoices i JOIN usage_aggregates a ON a.customer_id = i.customer_id AND a.period_start = i.period_start
     WHERE i.organization_id = $1`,
    [organizationId],
  );
  await pool.query(
    `INSERT INTO invoice_lines (id, invoice_id, customer_id, position, type, description, amount, amount_precise)
     SELECT gen_random_uuid(), id, customer_id, 2, 'base_fee', 'Base fee', 9, 9 FROM invoices WHERE organization_id = $1`,
    [organizationId],
  );
  await pool.query(
    `UPDATE invoices i SET subtotal = s.t, total = s.t FROM (SELECT invoice_id, sum(amount) AS t FROM invoice_lines GROUP BY invoice_id) s
     WHERE s.invoice_id = i.id AND i.organization_id = $1`,
    [organizationId],
  );
  await pool.query('DROP TABLE bench_models, bench_customers');
  return organizationId;
}

async function main() {
  const customers = arg('customers', 10_000);
  const events = arg('events', 10_000_000);
  const db = await createBenchDatabase('tollgate_bench_analytics');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  let billing: Awaited<ReturnType<typeof startTestBilling>> | undefined;
  try {
    const seedStart = Date.now();
    const organizationId = await seed(pool, customers, events);
    console.log(`seeded ${customers} customers, ${events} priced events and their invoices in ${round((Date.now() - seedStart) / 1000)} s`);
    billing = await startTestBilling({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `{tollgate-bench-analytics-${process.pid}}`,
      TOLLGATE_SECRET: BENCH_SECRET,
      TOLLGATE_TEST_NOW: TO.toISOString(),
    });
    const rollStart = Date.now();
    const rolled = await billing.get(AnalyticsRollupsRepository).rebuild(organizationId);
    await pool.query('ANALYZE');
    const { rows } = await pool.query<{ daily: string; periods: string; tasks: string }>(
      `SELECT (SELECT count(*) FROM analytics_daily)::text AS daily, (SELECT count(*) FROM analytics_periods)::text AS periods,
              (SELECT count(*) FROM analytics_tasks)::text AS tasks`,
    );
    console.log(
      `rollups of ${rolled} events built in ${round((Date.now() - rollStart) / 1000)} s: ${rows[0].daily} daily, ${rows[0].periods} period, ${rows[0].tasks} task rows`,
    );

    const report = billing.get(GetMarginReport);
    const time = async (groupBy: ('customer' | 'model')[]) => {
      const runs: number[] = [];
      let groups = 0;
      for (let i = 0; i < 6; i++) {
        const started = process.hrtime.bigint();
        const r = await report.execute({ organizationId, from: FROM, to: TO, groupBy });
        JSON.stringify(r);
        if (i > 0) runs.push(Number(process.hrtime.bigint() - started) / 1e6);
        groups = r.groups.length;
      }
      runs.sort((a, b) => a - b);
      const ms = runs[Math.floor(runs.length / 2)];
      console.log(
        `margin by ${groupBy.join(',')}: ${groups} groups, median ${round(ms)} ms (runs: ${runs.map((r) => round(r)).join(', ')})`,
      );
      return ms;
    };
    const byCustomer = await time(['customer']);
    const byCustomerModel = await time(['customer', 'model']);
    const simulation = await measureSimulation(billing, organizationId, {
      from: FROM.toISOString(),
      to: TO.toISOString(),
      price_multipliers: [{ model: 'o3', factor: '1.2' }],
      routing_shifts: [{ from_model: 'claude-opus-4', to_provider: 'bench', to_model: 'claude-haiku', share: '0.25' }],
      usage_growth: '1.1',
    });
    console.log(`stress test: ${simulation.events} events re-priced in ${simulation.seconds} s`);
    console.log(
      JSON.stringify({
        bench: 'analytics',
        margin_by_customer_ms: round(byCustomer),
        margin_by_customer_model_ms: round(byCustomerModel),
        simulation_events_per_s: simulation.simulation_events_per_s,
      }),
    );
  } finally {
    await billing?.close();
    await pool.end();
    // --keep leaves the database for a look at the plans (EXPLAIN); it is dropped by the next run.
    if (!process.argv.includes('--keep')) await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
