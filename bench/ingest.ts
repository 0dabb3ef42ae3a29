import { Client, Pool } from 'pg';
import { eventColumns, type EventRow, INSERT_EVENTS_SQL } from '@tollgate/db';
import { textArray } from '../libs/db/src/pg-binary-array';
import http from 'node:http';
import { BENCH_SECRET, cpuMeter, createBenchDatabase, peakRssMb, percentile, post, round, startApp, waitReady } from './lib';

// npm run bench:ingest — events/s durable through POST /v1/events versus the same rows inserted straight
// into Postgres, on this machine. Knobs: BENCH_SECONDS (default 20), BENCH_CLIENTS (default 4).

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const BATCH = 1000;
const PORT = 3900 + (process.pid % 50);
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';
const CUSTOMERS = 200;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-pro', 'o3'];

function batchBody(run: string, n: number): string {
  const now = Date.now();
  const parts: string[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const k = n * BATCH + i;
    parts[i] =
      `{"transaction_id":"${run}-${k}","external_customer_id":"customer-${k % CUSTOMERS}","timestamp":${now},` +
      `"provider":"openai","model":"${MODELS[k % MODELS.length]}","task_id":"task-${k >> 4}","feature":"chat",` +
      `"usage":{"input_tokens":${1000 + (k % 5000)},"cache_read_tokens":${k % 3000},"output_tokens":${200 + (k % 800)},"reasoning_tokens":${k % 100}}}`;
  }
  return `{"events":[${parts.join(',')}]}`;
}

async function throughApi(baseUrl: string, ingestKey: string) {
  const run = `api-${Date.now()}`;
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
        const body = batchBody(run, next++);
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
    const rows: EventRow[] = [];
    for (let i = 0; i < BATCH; i++) {
      const k = n * BATCH + i;
      rows.push({
        transactionId: `${run}-${k}`,
        customerId: customerIds[k % CUSTOMERS],
        externalCustomerId: `customer-${k % CUSTOMERS}`,
        occurredAt: Date.now(),
        timestampProvided: true,
        provider: 'openai',
        model: MODELS[k % MODELS.length],
        usage: [1000 + (k % 5000), k % 3000, 0, 0, 200 + (k % 800), k % 100, 0, 0, 0, 0, 1],
        cost: null,
        taskId: `task-${k >> 4}`,
        traceId: null,
        sessionId: null,
        feature: 'chat',
        status: 'success',
        retryOf: null,
        metadata: null,
        contentHash: Buffer.alloc(32, k % 251),
      });
    }
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
    const key = await fetch(baseUrl + '/v1/api_keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'ingest', name: 'bench' }),
    }).then((r) => r.json() as Promise<{ key: string }>);
    // warm-up: creates the customers, fills caches
    await fetch(baseUrl + '/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: batchBody(`warm-${Date.now()}`, 0),
    });

    console.log(`through the api: ${CLIENTS} clients, ${BATCH}-event batches, ${SECONDS} s ...`);
    const apiMeter = await cpuMeter(db.name, { api: api.pid!, client: process.pid });
    const viaApi = await throughApi(baseUrl, key.key);
    const apiCpu = await apiMeter();
    const rss = peakRssMb(api.pid!);

    const c = new Client({ connectionString: db.url });
    await c.connect();
    const org = (await c.query('SELECT id FROM organizations LIMIT 1')).rows[0].id;
    const customerIds = (await c.query('SELECT id FROM customers ORDER BY external_id')).rows.map((r) => r.id);
    await c.query('TRUNCATE events');
    await c.end();

    console.log(`straight into Postgres: ${CLIENTS} connections, ${BATCH}-row binary unnest inserts, ${SECONDS} s ...`);
    const raw = await straightIntoPostgres(db, org, customerIds);
    const ratio = viaApi.eventsPerS / raw.rowsPerS;

    console.log(`api:      ${Math.round(viaApi.eventsPerS)} events/s durable (${viaApi.accepted} accepted)`);
    console.log(`postgres: ${Math.round(raw.rowsPerS)} rows/s`);
    console.log(`ratio:    ${round(ratio, 2)}`);
    console.log(`ack latency per 1,000-event batch: p50 ${round(viaApi.p50)} ms, p99 ${round(viaApi.p99)} ms`);
    console.log(`api peak RSS: ${rss} MB`);
    const us = (ms: number, events: number) => round((ms * 1000) / events);
    console.log(
      `CPU per event through the api: api ${us(apiCpu.api, viaApi.accepted)} us, postgres backends ${us(apiCpu.postgres, viaApi.accepted)} us, bench client ${us(apiCpu.client, viaApi.accepted)} us`,
    );
    console.log(
      `CPU per row straight into Postgres: postgres backends ${us(raw.cpu.postgres, raw.rows)} us, bench client ${us(raw.cpu.client, raw.rows)} us`,
    );
    console.log(
      JSON.stringify({
        bench: 'ingest',
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
