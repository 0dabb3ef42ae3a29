import Redis from 'ioredis';
import {
  createTestDatabase,
  DatabaseProbe,
  errorOf,
  fetchJson,
  freePort,
  type JsonResponse,
  startAppProcess,
  TcpProxy,
  type TestDatabase,
  waitFor,
  type WorkerProcess,
} from '@tollgate/testing';
import type { CreatedApiKeyBody, IngestBody } from '@tollgate/testing/api-harness';

// The api and the worker as their users run them (child processes), each reaching Postgres and Redis through a
// TCP proxy the test cuts: every connection dies at once and new ones are refused, as when the server restarts.
// The same processes must ride it out, while events keep arriving: the api answers 503 while Postgres is away
// and 200 after; the worker goes on pricing until every event is priced. Redis losing its data (a flush) too.

const ADMIN_KEY = 'tg_admin_resilience_operator_0123456789';
const METRICS_TOKEN = 'resilience-metrics-0123456789';
const REDIS_DB = 7;
const PREFIX = `{tollgate-resilience-${process.pid}}`;

let db: TestDatabase;
let pgProxy: TcpProxy;
let redisProxy: TcpProxy;
let probe: DatabaseProbe;
let api: WorkerProcess;
let worker: WorkerProcess;
let base: string;
let metricsPort: number;
let ingestKey: string;
let seq = 0;
const unavailable = { seen: 0 };

function post<T = unknown>(path: string, body: unknown, key: string): Promise<JsonResponse<T>> {
  return fetchJson<T>(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** One batch, sent as the SDK would: again after a 503 (or a refused connection), with the same transaction ids. */
async function deliver(size: number): Promise<void> {
  const events = Array.from({ length: size }, () => {
    const k = seq++;
    return {
      transaction_id: `res-${k}`,
      external_customer_id: `rc-${k % 7}`,
      provider: 'openai',
      model: k % 2 ? 'gpt-4o' : 'gpt-4o-mini',
      usage: { input_tokens: 500 + (k % 50), output_tokens: 50 },
    };
  });
  for (;;) {
    const res = await post<IngestBody>('/v1/events', { events }, ingestKey).catch(() => ({ status: 0, body: null }));
    if (res.status === 200) {
      expect(res.body!.results.every((r) => r.status === 'accepted' || r.status === 'duplicate')).toBe(true);
      return;
    }
    if (res.status === 503) unavailable.seen++;
    else if (res.status !== 0) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Batches sent one after another until `stop` resolves, then a few more. */
async function keepIngesting(stop: Promise<void>): Promise<void> {
  let done = false;
  void stop.then(() => (done = true));
  while (!done) await deliver(50);
  for (let i = 0; i < 3; i++) await deliver(50);
}

const count = (where: string) => probe.count('events', where);
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function everyEventPriced() {
  await waitFor(
    async () => (await count("pricing_status = 'pending'")) === 0,
    90_000,
    `every event priced\n--- worker\n${worker.output()}`,
  );
  expect(await count('true')).toBe(seq);
  expect(await count("pricing_status = 'priced'")).toBe(seq);
}

function expectBothAlive(apiPid: number, workerPid: number) {
  expect(api.child.exitCode).toBeNull();
  expect(api.child.pid).toBe(apiPid);
  expect(worker.child.exitCode).toBeNull();
  expect(worker.child.pid).toBe(workerPid);
  // What they said about it are JSON log lines: no error printed raw by a library without a listener.
  for (const p of [api, worker])
    expect(
      p
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('{')),
    ).toEqual([]);
}

/**
 * Redis losing its data, as FLUSHDB would but only this file's keys (other runs share this Redis): every key under
 * the queue prefix deleted at once, in one script. (A deletion spread over time could leave half a queue, which
 * no flush or restart does; Redis must also run with maxmemory-policy noeviction, as BullMQ requires.)
 */
async function loseQueueData() {
  const redis = new Redis(`redis://127.0.0.1:6379/${REDIS_DB}`);
  try {
    const lua = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n";
    await redis.eval(lua, 0, `${PREFIX.replace(/[{}[\]*?]/g, '\\$&')}:*`);
  } finally {
    await redis.quit();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  probe = new DatabaseProbe(db.url);
  pgProxy = new TcpProxy('127.0.0.1', 5432);
  redisProxy = new TcpProxy('127.0.0.1', 6379);
  const pgUrl = new URL(db.url);
  pgUrl.port = String(await pgProxy.start());
  const env = {
    DATABASE_URL: pgUrl.toString(),
    REDIS_URL: `redis://127.0.0.1:${await redisProxy.start()}/${REDIS_DB}`,
    QUEUE_PREFIX: PREFIX,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    METRICS_TOKEN,
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_SECOND: '100000',
    SWEEP_INTERVAL_SECONDS: '1',
    RATE_POLL_SECONDS: '1',
    LOG_LEVEL: 'info',
  };
  const port = await freePort();
  metricsPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = startAppProcess('api', { ...env, PORT: String(port) });
  worker = startAppProcess('worker', { ...env, WORKER_METRICS_PORT: String(metricsPort) });
  await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 60_000, `the api\n${api.output()}`);
  const created = await post<CreatedApiKeyBody>('/v1/api_keys', { scope: 'ingest', name: 'resilience' }, ADMIN_KEY);
  expect(created.status).toBe(201);
  ingestKey = created.body.key;
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).catch(() => null))
        ?.ok === true,
    60_000,
    `the worker\n${worker.output()}`,
  );
});

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await pgProxy?.close();
  await redisProxy?.close();
  await probe?.close();
  await db?.drop();
  await loseQueueData();
});

describe('the worker and the api', () => {
  it('ride out Postgres going away under load: 503 meanwhile, then every event priced by the same processes', async () => {
    const [apiPid, workerPid] = [api.child.pid!, worker.child.pid!];
    const outage = (async () => {
      await waitFor(async () => (await count("pricing_status = 'priced'")) > 0, 30_000, 'pricing under way');
      await pgProxy.cut();
      await pause(3000);
      await pgProxy.restore();
      await pause(1000);
    })();
    await keepIngesting(outage);
    await outage;
    expect(unavailable.seen).toBeGreaterThan(0);
    await everyEventPriced();
    expectBothAlive(apiPid, workerPid);
  }, 180_000);

  it('ride out Redis going away under load, then every event priced by the same processes', async () => {
    const [apiPid, workerPid] = [api.child.pid!, worker.child.pid!];
    const priced = await count("pricing_status = 'priced'");
    const outage = (async () => {
      await waitFor(async () => (await count("pricing_status = 'priced'")) > priced, 30_000, 'pricing under way');
      await redisProxy.cut();
      await pause(3000);
      await redisProxy.restore();
      await pause(1000);
    })();
    await keepIngesting(outage);
    await outage;
    await everyEventPriced();
    expectBothAlive(apiPid, workerPid);
  }, 180_000);

  it('ride out Redis losing its data while jobs run (a flush), then every event priced by the same processes', async () => {
    const [apiPid, workerPid] = [api.child.pid!, worker.child.pid!];
    const flushes = (async () => {
      for (let i = 0; i < 3; i++) {
        await pause(700);
        await loseQueueData();
      }
    })();
    await keepIngesting(flushes);
    await flushes;
    await everyEventPriced();
    expectBothAlive(apiPid, workerPid);
  }, 180_000);

  it("serves the worker's /metrics only to the bearer of METRICS_TOKEN", async () => {
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const denied = await fetch(url);
    expect(denied.status).toBe(401);
    expect(errorOf(await denied.json()).code).toBe('unauthorized');
    const ok = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/tollgate_worker_events_total\{outcome="priced"\} [1-9]/);
  });
});
