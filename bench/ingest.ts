import { Client, Pool } from 'pg';
import { eventColumns, INSERT_EVENTS_SQL } from '@tollgate/db';
import { textArray } from '../libs/db/src/pg-binary-array';
import http from 'node:http';
import { BATCH, BatchBodies, BENCH_PLAN, batchRows, VARIANT } from './events';
import {
  BENCH_SECRET,
  cpuLine,
  cpuMeter,
  createBenchDatabase,
  peakRssMb,
  percentile,
  post,
  round,
  setUpOrganization,
  startApp,
  waitReady,
} from './lib';

// npm run bench:ingest [-- --light] — events/s durable through POST /v1/events (the api alone, no worker: with
// the rate cards and plan in its caches the api prices the batch as it stores it) versus the same rows inserted
// straight into Postgres (the floor), in the same run, and the CPU per event of each process. Realistic events
// by default (bench/events.ts). Knobs: BENCH_SECONDS (default 20), BENCH_CLIENTS (default 4).

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const PORT = 3900 + (process.pid % 50);
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';

async function throughApi(baseUrl: string, ingestKey: string) {
  const bodies = new BatchBodies(`api-${Date.now()}`); // built before the clock starts, as the floor's rows are
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL(baseUrl + '/v1/events');
  const headers = { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' };
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const body = bodies.body(next++);
        const t0 = performance.now();
        const res = await post(agent, url, headers, body);
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

async function main() {
  const db = await createBenchDatabase('tollgate_bench_ingest');
  const api = startApp('api', {
    DATABASE_URL: db.url,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_SECRET: BENCH_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
  });
  const baseUrl = `http://127.0.0.1:${PORT}`;
  try {
    await waitReady(baseUrl);
    const key = { key: await setUpOrganization(baseUrl, ADMIN_KEY, BENCH_PLAN) };
    // warm-up: creates the customers, fills caches
    await fetch(baseUrl + '/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: new BatchBodies(`warm-${Date.now()}`).body(0),
    });

    console.log(`${VARIANT}`);
    console.log(`through the api: ${CLIENTS} clients, ${BATCH}-event batches, ${SECONDS} s ...`);
    const apiMeter = await cpuMeter(db.name, { api: api.pid!, client: process.pid });
    const viaApi = await throughApi(baseUrl, key.key);
    const apiCpu = await apiMeter();
    const rss = peakRssMb(api.pid!);

    const c = new Client({ connectionString: db.url });
    await c.connect();
    const org = (await c.query('SELECT id FROM organizations LIMIT 1')).rows[0].id;
    // customer-0, customer-1, ...: the raw rows name the same customers as the api's
    const customerIds = (await c.query('SELECT id FROM customers ORDER BY substring(external_id from 10)::int')).rows.map((r) => r.id);
    const status = (await c.query('SELECT pricing_status, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1')).rows;
    await new Promise((r) => setTimeout(r, 1000)); // table statistics reach pg_stat_user_tables within a second
    const hot = (
      await c.query(`SELECT n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'usage_aggregates'`)
    ).rows[0] as { upd: number; hot: number };
    await c.query('TRUNCATE events');
    await c.end();

    console.log(`straight into Postgres: ${CLIENTS} connections, ${BATCH}-row binary unnest inserts, ${SECONDS} s ...`);
    const raw = await straightIntoPostgres(db, org, customerIds);
    const ratio = viaApi.eventsPerS / raw.rowsPerS;

    console.log(`api:      ${Math.round(viaApi.eventsPerS)} events/s durable (${viaApi.accepted} accepted)`);
    console.log(`postgres: ${Math.round(raw.rowsPerS)} rows/s`);
    console.log(`ratio:    ${round(ratio, 2)}`);
    console.log(`ack latency per 1,000-event batch: p50 ${round(viaApi.p50)} ms, p99 ${round(viaApi.p99)} ms`);
    console.log(`stored by the api: ${status.map((r) => `${r.n} ${r.pricing_status}`).join(', ')} (no worker runs)`);
    console.log(`usage_aggregates updates: ${hot.upd}, ${round((100 * hot.hot) / Math.max(1, hot.upd))}% HOT`);
    console.log(`api peak RSS: ${rss} MB`);
    console.log(`CPU per event through the api: ${cpuLine(apiCpu, viaApi.accepted)}`);
    console.log(`CPU per row straight into Postgres (the floor): ${cpuLine(raw.cpu, raw.rows)}`);
    console.log(
      JSON.stringify({
        bench: 'ingest',
        variant: VARIANT,
        events_per_s: Math.round(viaApi.eventsPerS),
        raw_rows_per_s: Math.round(raw.rowsPerS),
        ratio: round(ratio, 3),
        p50_ms: round(viaApi.p50),
        p99_ms: round(viaApi.p99),
        rss_mb: rss,
      }),
    );
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
