import http from 'node:http';
import { Pool } from 'pg';
import { BENCH_SECRET, cpuMeter, createBenchDatabase, percentile, post, round, startApp, waitReady } from './lib';

// npm run bench:pipeline — ingest and pricing running together on this machine (the built api and worker as
// separate processes, the local Postgres and Redis):
//  1. throughput: 1,000-event batches as fast as CLIENTS clients can send them for SECONDS; events/s from the
//     first request until every event is priced;
//  2. lag: a steady RATE events/s for SECONDS; per event, priced_at − received_at (both Postgres clocks).
// Knobs: BENCH_SECONDS (default 20), BENCH_CLIENTS (4), BENCH_RATE (10000), PRICE_CONCURRENCY (worker, 4).

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const BATCH = 1000;
const PORT = 3950 + (process.pid % 40);
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';
const MODELS: [string, string][] = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['openai', 'o3'],
  ['anthropic', 'claude-sonnet-4-20250514'],
];

function batchBody(run: string, n: number): string {
  const now = Date.now();
  const parts: string[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const k = n * BATCH + i;
    const [provider, model] = MODELS[k % MODELS.length];
    parts[i] =
      `{"transaction_id":"${run}-${k}","external_customer_id":"customer-${k % 100}","timestamp":${now},"provider":"${provider}",` +
      `"model":"${model}","task_id":"task-${k >> 4}","usage":{"input_tokens":${1000 + (k % 5000)},"cache_read_tokens":${k % 3000},` +
      `"output_tokens":${200 + (k % 800)},"reasoning_tokens":${k % 100}}}`;
  }
  return `{"events":[${parts.join(',')}]}`;
}

const agent = new http.Agent({ keepAlive: true });

async function send(baseUrl: string, key: string, body: string) {
  const res = await post(
    agent,
    new URL(baseUrl + '/v1/events'),
    { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  );
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${res.text}`);
}

/** Waits until every batch is priced: a look at ingest_batches (a row per batch), not a scan of the events. */
async function waitAllPriced(pool: Pool, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query('SELECT count(*)::int AS pending FROM ingest_batches WHERE priced_at IS NULL');
    if (rows[0].pending === 0) return Date.now();
    if (Date.now() > until) throw new Error(`${rows[0].pending} batches still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const db = await createBenchDatabase('tollgate_bench_pipeline');
  const env = {
    DATABASE_URL: db.url,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_SECRET: BENCH_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
    QUEUE_PREFIX: `{tollgate-bench-${process.pid}}`,
    RATE_SOURCES: 'none',
    SWEEP_INTERVAL_SECONDS: '60',
  };
  const api = startApp('api', { ...env, PORT: String(PORT), HOST: '127.0.0.1' });
  const worker = startApp('worker', env);
  const baseUrl = `http://127.0.0.1:${PORT}`;
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    await waitReady(baseUrl);
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const key = (
      (await (
        await fetch(baseUrl + '/v1/api_keys', { method: 'POST', headers, body: JSON.stringify({ scope: 'ingest', name: 'bench' }) })
      ).json()) as { key: string }
    ).key;
    await fetch(baseUrl + '/v1/plans/default', {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        name: 'Bench',
        currency: 'USD',
        included_usage: '10.00',
        effective_from: '2000-01-01T00:00:00Z',
        charges: [
          { name: 'premium', models: ['*o3*'], mode: 'price', markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
          { name: 'standard', models: ['*'], mode: 'price', markup: '0.3', margin_floor: '0.2' },
        ],
      }),
    });
    await send(baseUrl, key, batchBody(`warm-${Date.now()}`, 0));
    await waitAllPriced(pool, 60_000);

    // 1. throughput
    console.log(`throughput: ${CLIENTS} clients sending ${BATCH}-event batches for ${SECONDS} s, then until all are priced ...`);
    const run = `tp-${Date.now()}`;
    const meter = await cpuMeter(db.name, { api: api.pid!, worker: worker.pid!, client: process.pid });
    let next = 0;
    const started = Date.now();
    const until = started + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < until) await send(baseUrl, key, batchBody(run, next++));
      }),
    );
    const ingestedIn = (Date.now() - started) / 1000;
    const done = await waitAllPriced(pool, 600_000);
    const cpu = await meter();
    const events = next * BATCH;
    const eventsPerS = events / ((done - started) / 1000);
    console.log(
      `  ${events} events ingested in ${round(ingestedIn)} s (${Math.round(events / ingestedIn)}/s), all priced after ${round((done - started) / 1000)} s`,
    );
    const us = (ms: number) => round((ms * 1000) / events, 1);
    console.log(
      `  CPU per event: api ${us(cpu.api)} us, worker ${us(cpu.worker)} us, postgres backends ${us(cpu.postgres)} us, bench client ${us(cpu.client)} us`,
    );

    // 2. lag at a steady rate
    const perTick = RATE / BATCH; // batches per second
    console.log(`lag: a steady ${RATE} events/s for ${SECONDS} s ...`);
    const lagRun = `lag-${Date.now()}`;
    const lagStart = new Date();
    let sent = 0;
    const inflight: Promise<void>[] = [];
    const t0 = Date.now();
    for (let tick = 0; tick < SECONDS * perTick; tick++) {
      const due = t0 + (tick * 1000) / perTick;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(send(baseUrl, key, batchBody(lagRun, sent++)));
    }
    await Promise.all(inflight);
    const behind = (Date.now() - t0) / 1000 - SECONDS;
    await waitAllPriced(pool, 600_000);
    const lags = (
      await pool.query(
        `SELECT extract(epoch FROM (priced_at - received_at)) * 1000 AS ms FROM events WHERE received_at >= $1 AND transaction_id LIKE $2`,
        [lagStart, `${lagRun}-%`],
      )
    ).rows
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const p50 = percentile(lags, 50);
    const p99 = percentile(lags, 99);
    console.log(`  ${lags.length} events; the sender finished ${round(behind, 2)} s behind schedule`);
    console.log(`events priced end to end: ${Math.round(eventsPerS)}/s`);
    console.log(`event-to-priced lag at ${RATE}/s: p50 ${round(p50)} ms, p99 ${round(p99)} ms`);
    console.log(
      JSON.stringify({ bench: 'pipeline', events_per_s: Math.round(eventsPerS), lag_p50_ms: round(p50), lag_p99_ms: round(p99) }),
    );
  } finally {
    agent.destroy();
    await pool.end();
    for (const p of [api, worker]) p.kill('SIGTERM');
    await Promise.all([api, worker].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
