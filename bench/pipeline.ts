import http from 'node:http';
import { Pool } from 'pg';
import { BATCH, BatchBodies, BENCH_PLAN, VARIANT } from './events';
import {
  BENCH_SECRET,
  benchQueuePrefix,
  cpuLine,
  cpuMeter,
  createBenchDatabase,
  dropQueueKeys,
  peakRssMb,
  percentile,
  post,
  round,
  setUpOrganization,
  startApis,
  startApp,
  stopApps,
  waitReady,
} from './lib';

// npm run bench:pipeline [-- --light] — ingest and pricing running together on this machine (the built api and
// worker as separate processes, the local Postgres and Redis), realistic events by default (bench/events.ts):
//  1. throughput: 1,000-event batches as fast as CLIENTS clients can send them for SECONDS; events/s from the
//     first request until every event is priced and in the analytics rollups, ack p99, and the CPU per event of
//     each process;
//  2. lag: a steady RATE events/s for SECONDS; per event, priced_at − received_at (both Postgres clocks), ack p99.
// npm run bench:soak (-- --soak): only the steady rate, for SOAK_MINUTES (10), printing the api's and the worker's
// RSS every minute (peak at 1 and at 10 minutes) and the lag of each minute's events.
// Knobs: BENCH_SECONDS (default 20), BENCH_CLIENTS (4), BENCH_RATE (15000), SOAK_MINUTES (10), BENCH_API_PROCESSES (2,
// lib.ts: startApis), PRICE_CONCURRENCY (worker).

const SOAK = process.argv.includes('--soak');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 15_000);
const SOAK_MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const PORT = 3950 + (process.pid % 20) * 2;
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';

const agent = new http.Agent({ keepAlive: true });
/** Ack latency of each request of the current phase, ms. */
let acks: number[] = [];

/** Batches the api shed (503 while it held INGEST_MAX_IN_FLIGHT_MB), each sent again after Retry-After, as the SDK does. */
let shed = 0;
/**
 * Attempts that failed on the connection, sent again after a second, as the SDK does: reset or closed, or not
 * accepted in time (a shed batch's connection is closed, and its sender connects again to an api whose cores are full).
 */
const CONNECTION_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);
let connectionErrors = 0;

let turn = 0;

/** One batch, until an api takes it; its ack latency counts from the first attempt, as the sender waits for it. */
async function send(baseUrls: readonly string[], key: string, body: Buffer) {
  const t0 = performance.now();
  for (;;) {
    const baseUrl = baseUrls[turn++ % baseUrls.length];
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post(
        agent,
        new URL(baseUrl + '/v1/events'),
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      );
    } catch (err) {
      if (!CONNECTION_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      connectionErrors++; // the same transaction ids again: what was stored is a duplicate, nothing counts twice
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (res.status === 408) {
      connectionErrors++; // the body did not arrive in time: nothing stored (the SDKs retry a 408 too)
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (res.status === 503 && res.retryAfter !== undefined) {
      shed++;
      await new Promise((r) => setTimeout(r, Number(res.retryAfter) * 1000));
      continue;
    }
    acks.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${res.text}`);
    return;
  }
}

function ackP99(): number {
  const sorted = acks.sort((a, b) => a - b);
  acks = [];
  return round(percentile(sorted, 99));
}

/**
 * Waits until every batch is priced (a look at ingest_batches, a row per batch, not a scan of the events), then
 * until the worker has folded every priced event into the analytics rollups (rollup_pending empty): the times.
 */
async function waitAllPriced(pool: Pool, timeoutMs: number): Promise<{ priced: number; rolledUp: number }> {
  const until = Date.now() + timeoutMs;
  const wait = async (what: string, sql: string) => {
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(sql);
      if (rows[0].n === 0) return Date.now();
      if (Date.now() > until) throw new Error(`${rows[0].n} ${what} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const priced = await wait('batches still pending', 'SELECT count(*)::int AS n FROM ingest_batches WHERE priced_at IS NULL');
  const rolledUp = await wait('pricing writes not yet in the rollups', 'SELECT count(*)::int AS n FROM rollup_pending');
  return { priced, rolledUp };
}

/** Sends RATE events/s (1,000-event batches on a schedule) for `seconds`; calls `each` once a second. */
async function steady(
  baseUrls: readonly string[],
  key: string,
  bodies: BatchBodies,
  seconds: number,
  each?: (second: number) => Promise<void>,
) {
  const perSecond = RATE / BATCH;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const t0 = Date.now();
  for (let tick = 0; tick < seconds * perSecond; tick++) {
    const due = t0 + (tick * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = send(baseUrls, key, bodies.body(sent++)).finally(() => inflight.delete(p));
    inflight.add(p);
    if (each && (tick + 1) % perSecond === 0) await each((tick + 1) / perSecond);
  }
  await Promise.all(inflight);
  return { batches: sent, behind: (Date.now() - t0) / 1000 - seconds };
}

/**
 * priced_at − received_at of the events with ids above `afterId`: p50 and p99 (ms), how many, and the highest id.
 * Computed in Postgres: fetching every lag (900,000 rows a minute in the soak) cost the shared cores seconds.
 */
async function lagsAfter(pool: Pool, afterId: string): Promise<{ p50: number; p99: number; events: number; lastId: string }> {
  const { rows } = await pool.query<{ p50: number | null; p99: number | null; events: number; last: string | null }>(
    `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY lag) AS p99,
       count(*)::int AS events, max(id)::text AS last
     FROM (SELECT id, extract(epoch FROM (priced_at - received_at))::float8 * 1000 AS lag FROM events WHERE id > $1) l`,
    [afterId],
  );
  const r = rows[0];
  return { p50: r.p50 ?? NaN, p99: r.p99 ?? NaN, events: r.events, lastId: r.last ?? afterId };
}

async function main() {
  const db = await createBenchDatabase('tollgate_bench_pipeline');
  const env = {
    DATABASE_URL: db.url,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_SECRET: BENCH_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
    QUEUE_PREFIX: benchQueuePrefix('pipeline'),
    RATE_SOURCES: 'none',
    SWEEP_INTERVAL_SECONDS: '60',
  };
  const apis = startApis(PORT, env); // batches sent to them in turn
  const worker = startApp('worker', env);
  const { baseUrls } = apis;
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    for (const url of baseUrls) await waitReady(url);
    const key = await setUpOrganization(baseUrls[0], ADMIN_KEY, BENCH_PLAN);
    const warm = new BatchBodies(`warm-${Date.now()}`); // creates the customers, then fills every api's caches
    for (let i = 0; i < baseUrls.length; i++) await send(baseUrls, key, warm.body(i));
    await waitAllPriced(pool, 60_000);
    acks = [];
    console.log(VARIANT);

    if (SOAK) {
      console.log(`soak: a steady ${RATE} events/s for ${SOAK_MINUTES} min ...`);
      let lastId = '0';
      const started = Date.now();
      await steady(baseUrls, key, new BatchBodies(`soak-${Date.now()}`), SOAK_MINUTES * 60, async (second) => {
        if (second % 60 !== 0) return;
        const minute = second / 60;
        const { rows } = await pool.query('SELECT count(*)::int AS pending FROM ingest_batches WHERE priced_at IS NULL');
        const lags = await lagsAfter(pool, lastId);
        lastId = lags.lastId;
        const line = {
          minute,
          api_peak_rss_mb: apis.peakRss(),
          worker_peak_rss_mb: peakRssMb(worker.pid!),
          batches_pending: rows[0].pending,
          lag_p99_ms: round(lags.p99),
          ack_p99_ms: ackP99(),
          shed_so_far: shed,
          connection_errors_so_far: connectionErrors,
          behind_s: round((Date.now() - started) / 1000 - second, 2),
        };
        console.log(JSON.stringify(line));
      });
      await waitAllPriced(pool, 600_000);
      return;
    }

    // 1. throughput
    console.log(`throughput: ${CLIENTS} clients sending ${BATCH}-event batches for ${SECONDS} s, then until all are priced ...`);
    const bodies = new BatchBodies(`tp-${Date.now()}`); // built before the clock starts
    const meter = await cpuMeter(db.name, { ...apis.pids, worker: worker.pid!, client: process.pid });
    let next = 0;
    const started = Date.now();
    const until = started + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < until) await send(baseUrls, key, bodies.body(next++));
      }),
    );
    const ingestedIn = (Date.now() - started) / 1000;
    const tpAck = ackP99();
    const done = await waitAllPriced(pool, 600_000);
    const cpu = await meter();
    const events = next * BATCH;
    // End to end: priced, and in the analytics rollups (every report).
    const eventsPerS = events / ((done.rolledUp - started) / 1000);
    console.log(
      `  ${events} events ingested in ${round(ingestedIn)} s (${Math.round(events / ingestedIn)}/s), all priced after ${round((done.priced - started) / 1000)} s, in the analytics rollups after ${round((done.rolledUp - started) / 1000)} s; ack p99 ${tpAck} ms`,
    );
    console.log(`  CPU per event: ${cpuLine(cpu, events)}; batches shed by the api and sent again: ${shed}`);
    const lastId = (await pool.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM events')).rows[0].id;

    // 2. lag at a steady rate
    console.log(`lag: a steady ${RATE} events/s for ${SECONDS} s ...`);
    const sent = await steady(baseUrls, key, new BatchBodies(`lag-${Date.now()}`), SECONDS);
    const lagAck = ackP99();
    await waitAllPriced(pool, 600_000);
    const { p50, p99, events: lagged } = await lagsAfter(pool, lastId);
    console.log(`  ${lagged} events; the sender finished ${round(sent.behind, 2)} s behind schedule; batches shed so far: ${shed}`);
    console.log(`events priced end to end: ${Math.round(eventsPerS)}/s (ack p99 ${tpAck} ms)`);
    console.log(`event-to-priced lag at ${RATE}/s: p50 ${round(p50)} ms, p99 ${round(p99)} ms; ack p99 ${lagAck} ms`);
    console.log(
      JSON.stringify({
        bench: 'pipeline',
        variant: VARIANT,
        events_per_s: Math.round(eventsPerS),
        throughput_ack_p99_ms: tpAck,
        rate: RATE,
        lag_p50_ms: round(p50),
        lag_p99_ms: round(p99),
        ack_p99_ms: lagAck,
        cpu_us_per_event: Object.fromEntries(Object.entries(cpu).map(([k, ms]) => [k, round((ms * 1000) / events)])),
      }),
    );
  } finally {
    agent.destroy();
    await pool.end();
    await stopApps([...apis.processes, worker]);
    await dropQueueKeys(env.QUEUE_PREFIX);
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
