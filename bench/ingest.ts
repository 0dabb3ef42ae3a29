import { Client, Pool } from 'pg';
import { eventColumns, INSERT_EVENTS_SQL } from '@tollgate/db';
import { textArray } from '../libs/db/src/pg-binary-array';
import http from 'node:http';
import { BATCH, BatchBodies, BENCH_PLAN, batchRows, VARIANT } from './events';
import {
  BENCH_SECRET,
  benchQueuePrefix,
  cpuLine,
  cpuMeter,
  createBenchDatabase,
  dropQueueKeys,
  percentile,
  post,
  round,
  setUpOrganization,
  startApis,
  waitReady,
} from './lib';

// npm run bench:ingest [-- --light] — events/s durable through POST /v1/events (the api alone, no worker), both
// stored pending for the worker and priced as they are stored (PATHS), versus the same rows inserted straight
// into Postgres (the floor), in the same run, and the CPU per event of each process. Realistic events
// by default (bench/events.ts). Knobs: BENCH_SECONDS (default 20), BENCH_CLIENTS (default 4), BENCH_API_PROCESSES (2,
// lib.ts: startApis).

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PORT = 3900 + (process.pid % 25) * 2;
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';

async function throughApi(baseUrls: readonly string[], ingestKey: string) {
  const bodies = new BatchBodies(`api-${Date.now()}`); // built before the clock starts, as the floor's rows are
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const urls = baseUrls.map((u) => new URL(u + '/v1/events'));
  const headers = { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' };
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const n = next++;
        const body = bodies.body(n);
        const t0 = performance.now();
        const res = await post(agent, urls[n % urls.length], headers, body);
        const json = JSON.parse(res.text) as { results?: { status: string }[] };
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
        for (const r of json.results!) if (r.status === 'accepted') accepted++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { eventsPerS: accepted / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), accepted };
}

/**
 * The same rows, the fastest way we know: one prepared `unnest` insert per batch of binary column arrays with the
 * same unique key (ON CONFLICT DO NOTHING), autocommit, from the same number of connections. No RETURNING, no batch
 * row, no customers: only what any durable insert of these rows must do.
 */
async function straightIntoPostgres(db: { name: string; url: string }, organizationId: string, customerIds: string[]) {
  const pool = new Pool({ connectionString: db.url, max: CLIENTS });
  const run = `raw-${Date.now()}`;
  const batchId = '00000000-0000-0000-0000-000000000000';
  const columnsOf = (n: number) => {
    const rows = batchRows(run, n, customerIds);
    return { ids: rows.map((r) => r.transactionId), cols: eventColumns(rows) };
  };
  const prepared = Array.from({ length: 40 }, (_, n) => columnsOf(n)); // built before the clock starts
  const connections = await Promise.all(Array.from({ length: CLIENTS }, () => pool.connect()));
  for (const c of connections) c.release();
  const meter = await cpuMeter(db.name, { client: process.pid });
  let next = 0;
  let rows = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const n = next++;
        const { ids, cols } = prepared[n % prepared.length];
        const values = [organizationId, batchId, textArray(ids.map((t) => `${t}-${n}`)), ...cols.slice(1)]; // fresh ids every round
        const res = await pool.query({ name: 'raw_insert_events', text: INSERT_EVENTS_SQL, values });
        rows += res.rowCount ?? 0;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const cpu = await meter();
  await pool.end();
  return { rowsPerS: rows / elapsed, rows, cpu };
}

/**
 * The two ways the api stores a batch, each measured with its own api process on the same database (emptied
 * between them): ingest alone, the events stored pending and a price job enqueued for the worker (what issue 18's
 * "ingest alone" measured), and the deployed default, the batch priced as it is stored with its aggregates and its
 * pending rollup row (docs/design.md, "Pricing as the batch is stored").
 */
const PATHS = [
  { key: 'stored', pricing: 'worker', label: 'ingest alone: stored pending, priced later by the worker (INGEST_PRICING=worker)' },
  { key: 'priced', pricing: 'inline', label: 'ingest as deployed: priced as it is stored (INGEST_PRICING=inline, the default)' },
] as const;

interface PathResult {
  eventsPerS: number;
  p50: number;
  p99: number;
  accepted: number;
  cpu: Record<string, number>;
  /** Peak RSS of each api process, MB. */
  rss: string;
  status: string;
}

async function measurePath(
  db: { name: string; url: string },
  pricing: string,
  queuePrefix: string,
  key: { key?: string },
): Promise<PathResult> {
  const apis = startApis(PORT, {
    DATABASE_URL: db.url,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_SECRET: BENCH_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
    INGEST_PRICING: pricing,
    QUEUE_PREFIX: queuePrefix,
  });
  const { baseUrls } = apis;
  try {
    for (const url of baseUrls) await waitReady(url);
    key.key ??= await setUpOrganization(baseUrls[0], ADMIN_KEY, BENCH_PLAN);
    // warm-up: creates the customers (first path), fills each api's caches
    const warm = new BatchBodies(`warm-${Date.now()}`);
    for (let i = 0; i < baseUrls.length; i++) {
      await fetch(baseUrls[i] + '/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: warm.body(i),
      });
    }
    const meter = await cpuMeter(db.name, { ...apis.pids, client: process.pid });
    const result = await throughApi(baseUrls, key.key);
    const cpu = await meter();
    const rss = apis.peakRss();
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const rows = (await c.query('SELECT pricing_status, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1')).rows;
    await c.query('TRUNCATE events, ingest_batches, rollup_pending, usage_aggregates');
    await c.end();
    return { ...result, cpu, rss, status: rows.map((r) => `${r.n} ${r.pricing_status}`).join(', ') };
  } finally {
    await apis.stop();
  }
}

async function main() {
  const db = await createBenchDatabase('tollgate_bench_ingest');
  const queuePrefix = benchQueuePrefix('ingest');
  try {
    console.log(`${VARIANT}; ${CLIENTS} clients or connections, ${BATCH}-event batches, ${SECONDS} s each`);
    const key: { key?: string } = {};
    const results: Record<string, PathResult> = {};
    for (const path of PATHS) {
      console.log(`${path.label} ...`);
      results[path.key] = await measurePath(db, path.pricing, queuePrefix, key);
    }

    const c = new Client({ connectionString: db.url });
    await c.connect();
    const org = (await c.query('SELECT id FROM organizations LIMIT 1')).rows[0].id;
    // customer-0, customer-1, ...: the raw rows name the same customers as the api's
    const customerIds = (await c.query('SELECT id FROM customers ORDER BY substring(external_id from 10)::int')).rows.map((r) => r.id);
    await c.end();
    console.log('straight into Postgres (the floor) ...');
    const raw = await straightIntoPostgres(db, org, customerIds);

    console.log(`postgres (the floor): ${Math.round(raw.rowsPerS)} rows/s`);
    for (const path of PATHS) {
      const r = results[path.key];
      console.log(`${path.label}:`);
      console.log(
        `  ${Math.round(r.eventsPerS)} events/s durable (${r.accepted} accepted), ratio to the floor ${round(r.eventsPerS / raw.rowsPerS, 2)}`,
      );
      console.log(`  ack latency per 1,000-event batch: p50 ${round(r.p50)} ms, p99 ${round(r.p99)} ms; api peak RSS ${r.rss} MB`);
      console.log(`  stored by the api: ${r.status} (no worker runs)`);
      console.log(`  CPU per event: ${cpuLine(r.cpu, r.accepted)}`);
    }
    console.log(`CPU per row straight into Postgres (the floor): ${cpuLine(raw.cpu, raw.rows)}`);
    const figures = (r: PathResult) => ({
      events_per_s: Math.round(r.eventsPerS),
      ratio: round(r.eventsPerS / raw.rowsPerS, 3),
      p50_ms: round(r.p50),
      p99_ms: round(r.p99),
      rss_mb: r.rss,
    });
    console.log(
      JSON.stringify({
        bench: 'ingest',
        variant: VARIANT,
        raw_rows_per_s: Math.round(raw.rowsPerS),
        stored: figures(results.stored),
        priced: figures(results.priced),
      }),
    );
  } finally {
    await dropQueueKeys(queuePrefix);
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
