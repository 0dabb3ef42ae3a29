import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { RunSimulation, type ScenarioJson } from '@tollgate/billing';
import { SimulationsRepository } from '@tollgate/db';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { startTestBilling, type TestBilling } from '../libs/testing/src/billing-harness';
import { seedPlan } from '../libs/testing/src/billing-data';
import { createBenchDatabase, round } from './lib';

// npm run bench:simulation [-- --events N --customers C --keep] — the stress test's re-pricing rate: C customers (default
// 1,000) with N priced events (default 1,000,000) in last month, written straight into Postgres as pricing and the
// billing cycle leave them (events priced with their rate card version, aggregates, finalized invoices). One
// simulation (a price multiplier, a routing shift, a growth factor) is run by RunSimulation in this process, as the
// worker runs it: read in chunks, re-priced through libs/pricing, billed again per period. Target: >= 200,000
// events/s. `measureSimulation` is what bench:analytics calls on its own seeded organisation.

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

/** Runs one simulation of the organisation's billed periods in [from, to) and answers its rate. */
export async function measureSimulation(
  billing: Pick<TestBilling, 'get'>,
  organizationId: string,
  scenario: ScenarioJson,
): Promise<{ events: number; seconds: number; simulation_events_per_s: number }> {
  const repo = billing.get(SimulationsRepository);
  const row = await repo.create({
    id: randomUUID(),
    organizationId,
    scenario,
    from: new Date(scenario.from),
    to: new Date(scenario.to),
    eventsTotal: 0n,
    leaseToken: null,
    leaseMs: 0,
  });
  const started = process.hrtime.bigint();
  const result = await billing.get(RunSimulation).execute({ simulationId: row.id });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.outcome !== 'succeeded') throw new Error(`the simulation ended ${result.outcome}: ${JSON.stringify(result)}`);
  const events = Number((await repo.find(organizationId, row.id))!.events_done);
  return { events, seconds: round(seconds, 2), simulation_events_per_s: Math.round(events / seconds) };
}

async function seed(pool: Pool, customers: number, events: number, periodStart: Date, periodEnd: Date): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const org = (
      await client.query<{ id: string }>(`INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'bench') RETURNING id::text`)
    ).rows[0].id;
    const plan = (
      await client.query<{ id: string }>(
        `INSERT INTO plans (id, organization_id, code, version, definition, effective_from) VALUES (gen_random_uuid(), $1, 'seeded', 1, $2, 'epoch')
         RETURNING id::text`,
        [org, JSON.stringify(seedPlan(0))],
      )
    ).rows[0].id;
    // Two models' negotiated prices (per token), in force from before the month.
    const cards = (
      await client.query<{ id: string; model: string }>(
        `INSERT INTO rate_card_versions (id, scope, provider, model, prices, tiers, source, effective_from, fetched_at, content_hash)
         VALUES (gen_random_uuid(), $1, 'bench', 'bench-o3', '{"input_tokens":"0.000002","output_tokens":"0.000008","cache_read_tokens":"0.0000005"}',
                 '[]', 'override', 'epoch', now(), 'bench-o3'),
                (gen_random_uuid(), $1, 'bench', 'bench-mini', '{"input_tokens":"0.00000015","output_tokens":"0.0000006"}',
                 '[]', 'override', 'epoch', now(), 'bench-mini')
         RETURNING id::text, model`,
        [org],
      )
    ).rows;
    const o3 = cards.find((c) => c.model === 'bench-o3')!.id;
    const mini = cards.find((c) => c.model === 'bench-mini')!.id;
    await client.query(
      `INSERT INTO customers (id, organization_id, external_id, plan_code, created_at)
       SELECT gen_random_uuid(), $1, 'customer-' || lpad(g::text, 7, '0'), 'seeded', $2 FROM generate_series(1, $3) g`,
      [org, periodStart, customers],
    );
    // Event g: customer g mod C, a third on bench-o3 (premium), the rest on bench-mini; amounts as pricing wrote them.
    const zeros = USAGE_DIMENSIONS.filter((d) => !['input_tokens', 'output_tokens', 'cache_read_tokens', 'requests'].includes(d));
    await client.query(
      `WITH c AS (SELECT id, external_id, row_number() OVER (ORDER BY external_id) - 1 AS k FROM customers WHERE organization_id = $1),
       g AS (SELECT g, g % 3 = 0 AS premium, 1000 + g % 5000 AS input, 100 + g % 900 AS output, g % 7 * 100 AS cached
             FROM generate_series(0, $2 - 1) g)
       INSERT INTO events (organization_id, transaction_id, customer_id, external_customer_id, batch_id, occurred_at, timestamp_provided,
         provider, model, input_tokens, output_tokens, cache_read_tokens, requests, ${zeros.join(', ')}, content_hash, pricing_status,
         provider_cost, rated_amount, rate_card_id, charge, plan_version_id, period_start, priced_at)
       SELECT $1, 'bench-' || g.g, c.id, c.external_id, '00000000-0000-0000-0000-000000000000', $3::timestamptz + (g.g % 2592000) * interval '1 second', true,
         'bench', CASE WHEN premium THEN 'bench-o3' ELSE 'bench-mini' END, input, output, CASE WHEN premium THEN cached ELSE 0 END, 1,
         ${zeros.map(() => '0').join(', ')}, '\\x00', 'priced', cost, cost * CASE WHEN premium THEN 1.5 ELSE 1.3 END,
         CASE WHEN premium THEN $5::uuid ELSE $6::uuid END, CASE WHEN premium THEN 'premium' ELSE 'standard' END, $7, $3, now()
       FROM g JOIN c ON c.k = g.g % $4
       CROSS JOIN LATERAL (SELECT CASE WHEN premium THEN input * 0.000002 + output * 0.000008 + cached * 0.0000005
                                       ELSE input * 0.00000015 + output * 0.0000006 END AS cost) p`,
      [org, events, periodStart, customers, o3, mini, plan],
    );
    await client.query(
      `INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost, rated_amount,
         ${USAGE_DIMENSIONS.join(', ')})
       SELECT organization_id, customer_id, period_start, $3, charge, count(*), sum(provider_cost), sum(rated_amount),
         ${USAGE_DIMENSIONS.map((d) => `sum(${d})`).join(', ')}
       FROM events WHERE organization_id = $1 AND period_start = $2 GROUP BY organization_id, customer_id, period_start, charge`,
      [org, periodStart, periodEnd],
    );
    await client.query(
      `INSERT INTO invoices (id, organization_id, customer_id, status, period_start, period_end, billing_period_end, currency, plan_code,
         plan_version_id, plan_version, subtotal, total, finalize_after, finalized_at)
       SELECT gen_random_uuid(), $1, customer_id, 'finalized', $2, $3, $3, 'USD', 'seeded', $4, 1, round(sum(rated_amount), 2) + 9,
         round(sum(rated_amount), 2) + 9, $3, $3
       FROM usage_aggregates WHERE organization_id = $1 GROUP BY customer_id`,
      [org, periodStart, periodEnd, plan],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE events; ANALYZE usage_aggregates; ANALYZE invoices');
    return org;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function main() {
  const events = arg('events', 1_000_000);
  const customers = arg('customers', 1_000);
  const now = new Date();
  const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const periodEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const db = await createBenchDatabase('tollgate_bench_simulation');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    const seedStart = Date.now();
    const org = await seed(pool, customers, events, periodStart, periodEnd);
    console.log(`seeded ${events} priced events of ${customers} customers, billed, in ${round((Date.now() - seedStart) / 1000)} s`);
    const billing = await startTestBilling({ DATABASE_URL: db.url, RATE_POLL_SECONDS: '3600' });
    try {
      const figures = await measureSimulation(billing, org, {
        from: periodStart.toISOString(),
        to: periodEnd.toISOString(),
        price_multipliers: [{ model: 'bench-o3', factor: '1.2' }],
        routing_shifts: [{ from_model: 'bench-o3', to_provider: 'bench', to_model: 'bench-mini', share: '0.25' }],
        usage_growth: '1.1',
      });
      console.log(JSON.stringify({ bench: 'simulation', customers, ...figures }));
    } finally {
      await billing.close();
    }
  } finally {
    await pool.end();
    if (process.argv.includes('--keep')) console.log(`kept the database ${db.name}`);
    else await db.drop();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
