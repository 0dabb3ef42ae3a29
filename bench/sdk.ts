// npm run bench:sdk — what the agent SDK costs an agent: track() per call (median ns; target < 2 µs),
// events/s delivered over HTTP, and the heap taken by 10,000 queued events.
//
// `npm run bench:sdk` delivers to the real api (built, on a fresh migrated database of its own, as
// bench:ingest runs it: BENCH_SDK_API=real), or to a running one: TOLLGATE_BENCH_URL=… TOLLGATE_BENCH_KEY=<ingest key>.
// `npx tsx bench/sdk.ts` alone delivers to a local HTTP server playing the ingest API (a child process that
// answers every event `accepted` after parsing the body): the SDK's own ceiling.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tollgate, type TrackEvent } from '../libs/sdk/src';
import { BENCH_SECRET } from './lib';

const PLAYING_API = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const results = events.map((e) => ({ transaction_id: e.transaction_id, status: 'accepted' }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ results }));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startPlayingApi(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', PLAYING_API], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, child };
}

const ROOT = path.resolve(__dirname, '..');
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const BENCH_ADMIN_KEY = 'tg_admin_bench_operator_key_0123456789';

async function adminSql(sql: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

/** The built api (dist/) on a database of its own; returns its URL, an ingest key and a stop function. */
async function startRealApi(): Promise<{ url: string; apiKey: string; stop(): Promise<void> }> {
  const name = `tollgate_bench_sdk_${process.pid}`;
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  await adminSql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminSql(`CREATE DATABASE "${name}"`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { migrateDeploy } = require(path.join(ROOT, 'tools/prisma-engine/migrate.js'));
  await migrateDeploy(dbUrl.toString());
  const port = 3950 + (process.pid % 40);
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/api/src/main.js')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      TOLLGATE_ADMIN_KEY: BENCH_ADMIN_KEY,
      TOLLGATE_SECRET: BENCH_SECRET,
      RATE_LIMIT_PER_SECOND: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    await adminSql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  for (let waited = 0; ; waited += 200) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (waited > 30_000) {
      await stop();
      throw new Error('the api did not become ready (did you run npm run build?)');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const res = await fetch(`${url}/v1/api_keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scope: 'ingest', name: 'bench:sdk' }),
  });
  return { url, apiKey: ((await res.json()) as { key: string }).key, stop };
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const call = (i: number): TrackEvent => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { input_tokens: 176 + (i % 7), cache_read_tokens: 1024, output_tokens: 212, reasoning_tokens: 128 },
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function trackCost(url: string, apiKey: string): Promise<number> {
  const tollgate = new Tollgate({ apiKey, baseUrl: url, flushOnExit: false });
  const perCall: number[] = [];
  await tollgate.task('bench', { customer: 'bench-customer', feature: 'bench' }, async () => {
    const events = Array.from({ length: 1_000 }, (_, i) => call(i));
    for (let round = 0; round < 300; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 1_000; i++) tollgate.track(events[i]);
      const ns = Number(process.hrtime.bigint() - start) / 1_000;
      if (round >= 20) perCall.push(ns); // the first rounds warm the JIT up
      await tollgate.flush();
    }
  });
  await tollgate.shutdown();
  return median(perCall);
}

async function deliveryRate(url: string, apiKey: string, maxBatchSize: number, maxConcurrency: number): Promise<number> {
  const total = 100_000;
  let delivered = 0;
  const tollgate = new Tollgate({
    apiKey,
    baseUrl: url,
    customer: 'bench-customer',
    maxBatchSize,
    maxConcurrency,
    maxQueueSize: total,
    flushOnExit: false,
    onDelivered: (results) => (delivered += results.length),
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) tollgate.track(call(i));
  await tollgate.flush();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await tollgate.shutdown();
  if (delivered !== total) throw new Error(`delivered ${delivered} of ${total}: ${JSON.stringify(tollgate.stats())}`);
  return Math.round(total / seconds);
}

function heapWith10kQueued(url: string, apiKey: string): number {
  const tollgate = new Tollgate({ apiKey, baseUrl: url, flushOnExit: false, maxBatchSize: 1_000 });
  const events = Array.from({ length: 10_000 }, (_, i) => ({ ...call(i), metadata: { request_id: `req-${i}` } }));
  gc();
  const before = process.memoryUsage().heapUsed;
  // Synchronously: nothing is sent before the measurement (sending starts on the next microtask).
  tollgate.task('bench', { customer: 'bench-customer', feature: 'bench' }, () => {
    for (const event of events) tollgate.track(event);
  });
  gc();
  const mb = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
  if (tollgate.stats().queued !== 10_000) throw new Error('expected 10,000 queued events');
  void tollgate.shutdown();
  return mb;
}

async function main(): Promise<void> {
  const external = process.env.TOLLGATE_BENCH_URL;
  const real = !external && process.env.BENCH_SDK_API === 'real' ? await startRealApi() : undefined;
  const playing = external || real ? undefined : await startPlayingApi();
  const url = external ?? real?.url ?? playing!.url;
  const apiKey = process.env.TOLLGATE_BENCH_KEY ?? real?.apiKey ?? 'tg_ingest_bench';
  try {
    const target = playing
      ? `a local HTTP server playing the ingest API (${url})`
      : `the Tollgate API at ${url}${real ? ' (built api, fresh database)' : ''}`;
    console.log(`delivering to ${target}`);
    const heapMb = heapWith10kQueued(url, apiKey);
    console.log(`heap with 10,000 events queued: ${heapMb.toFixed(2)} MB (${Math.round((heapMb * 1024 * 1024) / 10_000)} bytes/event)`);
    const trackNs = await trackCost(url, apiKey);
    console.log(`track(): median ${trackNs.toFixed(0)} ns per call (target < 2000 ns)`);
    const defaults = await deliveryRate(url, apiKey, 100, 2);
    console.log(`delivered: ${defaults.toLocaleString('en-US')} events/s (defaults: batches of 100, 2 requests in flight)`);
    const tuned = await deliveryRate(url, apiKey, 1_000, 4);
    console.log(`delivered: ${tuned.toLocaleString('en-US')} events/s (batches of 1,000, 4 requests in flight)`);
    console.log(
      JSON.stringify({
        bench: 'sdk',
        track_ns_median: Math.round(trackNs),
        delivered_per_s: defaults,
        heap_mb_10k: Number(heapMb.toFixed(2)),
      }),
    );
  } finally {
    playing?.child.kill();
    await real?.stop();
  }
}

void main();
