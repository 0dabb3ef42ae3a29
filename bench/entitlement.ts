import http from 'node:http';
import { BENCH_SECRET, cpuMeter, createBenchDatabase, percentile, post, RawGetConnection, round, startApp, waitReady } from './lib';

// npm run bench:entitlement — GET /v1/customers/{id}/entitlement (the SDK's budget guard, before every model call)
// for CUSTOMERS customers while events for them are ingested and priced at INGEST_RATE events/s (the built api and
// worker as separate processes, the local Postgres and Redis). Every customer has prepaid credit and a spending
// cap, so pricing keeps each one's cached entitlement current while the readers read it.
// The first BENCH_WARMUP_SECONDS (3) of reads and ingest are not measured: the api's first batches run its ingest
// path before the JIT has compiled it, and held every read behind them (of a 10 s run's reads over 15 ms, 29% came in its
// first second).
// Knobs: BENCH_SECONDS (default 20), BENCH_CUSTOMERS (1000), BENCH_INGEST_RATE (5000), BENCH_READERS (16 requests in
// flight: the knee on this machine, where more readers no longer add requests/s, only wait in the api's queue
// (Little's law: 32 readers answered as many per second at twice the latency; docs/performance.md)).
// It prints the CPU each process used during the run, the load client's own included.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1000);
const INGEST_RATE = Number(process.env.BENCH_INGEST_RATE ?? 5000);
const READERS = Number(process.env.BENCH_READERS ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const BATCH = 500;
const PORT = 3990 + (process.pid % 9);
const ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';

const agent = new http.Agent({ keepAlive: true, maxSockets: READERS + 16 });

function get(url: URL, key: string): Promise<{ status: number; ms: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end();
  });
}

function batchBody(run: string, n: number): string {
  const now = Date.now();
  const parts: string[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const k = n * BATCH + i;
    parts[i] =
      `{"transaction_id":"${run}-${k}","external_customer_id":"c-${k % CUSTOMERS}","timestamp":${now},"provider":"openai",` +
      `"model":"gpt-4o-mini","usage":{"input_tokens":${100 + (k % 500)},"output_tokens":${20 + (k % 80)}}}`;
  }
  return `{"events":[${parts.join(',')}]}`;
}

async function json(baseUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function main() {
  const db = await createBenchDatabase('tollgate_bench_entitlement');
  const env = {
    DATABASE_URL: db.url,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_SECRET: BENCH_SECRET,
    RATE_LIMIT_PER_SECOND: '1000000',
    QUEUE_PREFIX: `{tollgate-bench-${process.pid}}`,
    RATE_SOURCES: 'none',
  };
  const api = startApp('api', { ...env, PORT: String(PORT), HOST: '127.0.0.1' });
  const worker = startApp('worker', env);
  const baseUrl = `http://127.0.0.1:${PORT}`;
  try {
    await waitReady(baseUrl);
    const key = ((await json(baseUrl, 'POST', '/v1/api_keys', { scope: 'ingest', name: 'bench' })) as { key: string }).key;
    await json(baseUrl, 'POST', '/v1/rates/overrides', {
      provider: 'openai',
      model: 'gpt-4o-mini',
      prices: { input_tokens: '0.15', output_tokens: '0.60' },
      effective_from: '2000-01-01T00:00:00Z',
    });
    await json(baseUrl, 'POST', '/v1/plans', {
      code: 'prepaid',
      name: 'Prepaid',
      currency: 'USD',
      prepaid: true,
      charges: [{ name: 'all', models: ['*'], mode: 'price', markup: '0.3' }],
    });
    console.log(`setup: ${CUSTOMERS} customers on a prepaid plan with $100 of credit and a $1,000 cap ...`);
    for (let i = 0; i < CUSTOMERS; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, CUSTOMERS - i) }, async (_, j) => {
          const id = `c-${i + j}`;
          await json(baseUrl, 'POST', '/v1/customers', { external_id: id, plan_code: 'prepaid', spend_cap: '1000' });
          await json(baseUrl, 'POST', `/v1/customers/${id}/credits`, { amount: '100.00', kind: 'granted' });
        }),
      );
    }
    // Each customer's entitlement asked once: from then on pricing keeps its cached row current.
    for (let i = 0; i < CUSTOMERS; i++) await get(new URL(`${baseUrl}/v1/customers/c-${i}/entitlement`), key);

    // Each reader a connection of its own, its requests built once (RawGetConnection): the client's CPU is not the
    // api's to lose.
    const readers = Array.from({ length: READERS }, () => new RawGetConnection(new URL(baseUrl), { authorization: `Bearer ${key}` }));
    const requests = Array.from({ length: CUSTOMERS }, (_, i) => readers[0].request(`/v1/customers/c-${i}/entitlement`));
    console.log(
      `run: ${READERS} readers for ${WARMUP} s of warm-up, then ${SECONDS} s measured, while ${INGEST_RATE} events/s are ingested and priced ...`,
    );
    const run = `ent-${Date.now()}`;
    const started = Date.now();
    const measureFrom = started + WARMUP * 1000;
    const until = measureFrom + SECONDS * 1000;
    // The CPU each process uses from the end of the warm-up.
    const metering = (async () => {
      await new Promise((r) => setTimeout(r, measureFrom - Date.now()));
      return { meter: await cpuMeter(db.name, { api: api.pid!, worker: worker.pid! }), client: process.cpuUsage() };
    })();
    let batches = 0;
    const ingest = (async () => {
      const perSecond = INGEST_RATE / BATCH;
      const inflight: Promise<unknown>[] = [];
      for (let tick = 0; Date.now() < until; tick++) {
        // A slow rate (BENCH_INGEST_RATE=1: the reads alone) waits out the run, not its next tick.
        const wait = Math.min(started + (tick * 1000) / perSecond, until) - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (Date.now() >= until) break;
        inflight.push(
          post(
            agent,
            new URL(baseUrl + '/v1/events'),
            { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            batchBody(run, batches++),
          ),
        );
      }
      await Promise.all(inflight);
    })();
    const latencies: number[] = [];
    let refused = 0;
    let errors = 0;
    await Promise.all(
      readers.map(async (reader, r) => {
        for (let n = r; Date.now() < until; n += READERS) {
          const measured = Date.now() >= measureFrom;
          const res = await reader.get(requests[n % CUSTOMERS]);
          if (res.status !== 200) errors++;
          if (measured) latencies.push(res.ms);
          if (res.status === 429) refused++;
        }
      }),
    );
    const elapsed = (Date.now() - measureFrom) / 1000;
    const { meter, client } = await metering;
    const clientUsage = process.cpuUsage(client);
    const used = { ...(await meter()), 'load client': (clientUsage.user + clientUsage.system) / 1000 };
    for (const reader of readers) reader.close();
    await ingest;
    latencies.sort((a, b) => a - b);
    const rps = latencies.length / elapsed;
    console.log(
      `  ${latencies.length} requests in ${round(elapsed)} s (${errors} not 200, ${refused} of them 429); ${batches * BATCH} events sent`,
    );
    console.log(
      `  CPU during the run, share of one core: ${Object.entries(used)
        .map(([name, ms]) => `${name} ${round(ms / 10 / elapsed)}%`)
        .join(', ')}`,
    );
    console.log(`  latency p50 ${round(percentile(latencies, 50), 2)} ms, p99 ${round(percentile(latencies, 99), 2)} ms`);
    // Where the answers came from, over the whole run (the api's /metrics): its memory, the stored row, computed.
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    const answered = (answer: string) =>
      metrics.match(new RegExp(`tollgate_entitlement_checks_total\\{answer="${answer}"\\} (\\d+)`))?.[1] ?? '?';
    console.log(`  answers since start: memory ${answered('memory')}, stored row ${answered('stored')}, computed ${answered('computed')}`);
    console.log(JSON.stringify({ bench: 'entitlement', requests_per_s: Math.round(rps), p99_ms: round(percentile(latencies, 99), 2) }));
  } finally {
    agent.destroy();
    for (const p of [api, worker]) p.kill('SIGTERM');
    await Promise.all([api, worker].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
