import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';

// Shared by the benchmarks: a migrated database of their own, the built api as a child process.

export const ROOT = path.resolve(__dirname, '..', '..');
/** TOLLGATE_SECRET of the benchmarks' api (keys are hashed with it). */
export const BENCH_SECRET = 'tollgate-bench-secret-0123456789abcdef-0123456789';
export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = '/' + name;
  return u.toString();
}

export async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

export async function createBenchDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { migrateDeploy } = require(path.join(ROOT, 'tools/prisma-engine/migrate.js'));
  await migrateDeploy(dbUrl(name));
  // BENCH_SETUP_SQL: statements run on the fresh database before the bench, for A/B runs of a storage setting
  // (e.g. "ALTER TABLE events SET (fillfactor = 100)") without a migration.
  if (process.env.BENCH_SETUP_SQL) {
    const c = new Client({ connectionString: dbUrl(name) });
    await c.connect();
    await c.query(process.env.BENCH_SETUP_SQL).finally(() => c.end());
  }
  return { name, url: dbUrl(name), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** A BullMQ key prefix of this run's own, so that the jobs its api enqueues never reach a developer's queues. */
export const benchQueuePrefix = (name: string) => `{tollgate-bench-${name}-${process.pid}}`;

/** Deletes every Redis key under a run's queue prefix (jobs no worker took, repeatable schedules). */
export async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The api's V8 flags, as `npm start` (scripts/run.js) gives them: a young generation big enough for the batches in
 * flight (docs/performance.md). BENCH_API_FLAGS replaces them, for A/B runs ("" for none).
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=64'];

/** BENCH_CPU_PROF=<dir>: the api and the worker write V8 CPU profiles there when they exit (node --cpu-prof). */
export function startApp(app: 'api' | 'worker', env: Record<string, string>): ChildProcess {
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${app}.cpuprofile`]
    : [];
  const flags = app === 'api' ? (process.env.BENCH_API_FLAGS ?? API_NODE_FLAGS.join(' ')).split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...flags, ...prof, path.join(ROOT, `dist/apps/${app}/src/main.js`)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

/**
 * The api processes a bench sends to (BENCH_API_PROCESSES, default 2: one per core, as a load balancer spreads an
 * api's replicas; Node runs a process's JavaScript on one core), on ports `firstPort`, `firstPort + 1`, ...: their
 * URLs, their pids named for the CPU meter (api, api2, ...), their peak RSS, and a stop that waits for their exit.
 */
export const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? 2);

export interface ApiProcesses {
  processes: ChildProcess[];
  baseUrls: string[];
  pids: Record<string, number>;
  /** "412.3 + 398.1": each process's peak RSS, MB. */
  peakRss(): string;
  stop(): Promise<void>;
}

export function startApis(firstPort: number, env: Record<string, string>): ApiProcesses {
  const processes = Array.from({ length: API_PROCESSES }, (_, i) =>
    startApp('api', { ...env, PORT: String(firstPort + i), HOST: '127.0.0.1' }),
  );
  return {
    processes,
    baseUrls: processes.map((_, i) => `http://127.0.0.1:${firstPort + i}`),
    pids: Object.fromEntries(processes.map((p, i) => [i === 0 ? 'api' : `api${i + 1}`, p.pid!])),
    peakRss: () => processes.map((p) => peakRssMb(p.pid!)).join(' + '),
    stop: () => stopApps(processes),
  };
}

/** SIGTERM, then waits until each has exited. */
export async function stopApps(processes: readonly ChildProcess[]): Promise<void> {
  for (const p of processes) p.kill('SIGTERM');
  await Promise.all(processes.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
}

export async function waitReady(baseUrl: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(baseUrl + '/readyz')).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${baseUrl} did not become ready in ${timeoutMs} ms`);
}

/** Peak resident set size of a process, in MB (Linux VmHWM). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
  return Math.round(kb / 102.4) / 10;
}

/** CPU time (user + system) a local process has used so far, in ms; 0 if it is gone or not readable. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks, USER_HZ = 100 on Linux
  } catch {
    return 0;
  }
}

/** Whose work a Postgres backend did: the application_name the api and worker set, or an autovacuum worker. */
function backendOwner(applicationName: string, backendType: string): string {
  if (backendType === 'autovacuum worker') return 'autovacuum';
  if (applicationName === 'tollgate-api') return 'api';
  if (applicationName === 'tollgate-worker') return 'worker';
  return 'other';
}

/**
 * Starts counting the CPU time of some processes and of the Postgres backends serving a database (local server);
 * the returned function gives the ms each used since. Where the time goes decides what to optimise. The backends
 * are looked up every half second, so one that comes and goes meanwhile (an autovacuum worker, a pool's new
 * connection) is counted up to its last sighting rather than missed. `postgres` is split by whose connection a
 * backend served (`postgres.api`, `postgres.worker`, `postgres.autovacuum`, `postgres.other`: the bench's own).
 * `postgres_writers`: the server's WAL writer, checkpointer and background writer, which write what the backends
 * changed.
 */
export async function cpuMeter(databaseName: string, processes: Record<string, number>): Promise<() => Promise<Record<string, number>>> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  const backends = async () =>
    (
      await c.query<{ pid: number; application_name: string; backend_type: string }>(
        'SELECT pid, application_name, backend_type FROM pg_stat_activity WHERE datname = $1',
        [databaseName],
      )
    ).rows.map((r) => ({ pid: r.pid, owner: backendOwner(r.application_name, r.backend_type) }));
  // The server's own writers (WAL, checkpoints, dirty pages) serve every database; nothing else runs during a bench.
  const writers = (
    await c.query(`SELECT pid FROM pg_stat_activity WHERE backend_type IN ('walwriter', 'checkpointer', 'background writer')`)
  ).rows.map((r) => r.pid as number);
  const before = new Map<number, number>();
  for (const pid of [...Object.values(processes), ...writers, ...(await backends()).map((b) => b.pid)]) before.set(pid, cpuMs(pid));
  /** Each backend's CPU when last seen, and whose it was. */
  const seen = new Map<number, { ms: number; owner: string }>();
  const look = async () => {
    for (const { pid, owner } of await backends()) {
      const ms = cpuMs(pid);
      if (ms > 0) seen.set(pid, { ms, owner });
    }
  };
  let looking = Promise.resolve();
  const timer = setInterval(() => (looking = looking.then(look).catch(() => undefined)), 500);
  return async () => {
    clearInterval(timer);
    await looking;
    await look();
    await c.end();
    const used: Record<string, number> = {};
    for (const [name, pid] of Object.entries(processes)) used[name] = cpuMs(pid) - before.get(pid)!;
    used.postgres = 0;
    const parts: Record<string, number> = {};
    for (const [pid, { ms, owner }] of seen) {
      const delta = ms - (before.get(pid) ?? 0);
      used.postgres += delta;
      parts[`postgres.${owner}`] = (parts[`postgres.${owner}`] ?? 0) + delta;
    }
    Object.assign(used, parts);
    used.postgres_writers = writers.reduce((sum: number, pid) => sum + cpuMs(pid) - before.get(pid)!, 0);
    return used;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * POST over node:http with a keep-alive agent: the load generator shares the machine's cores with the api and
 * Postgres, and this costs it about 20% less CPU per request than fetch (undici) did (3.2 vs 4.0 us per event).
 */
export function post(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<{ status: number; text: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Microseconds of CPU per event, from ms used over a number of events. */
export const usPerEvent = (ms: number, events: number) => round((ms * 1000) / events);

/** "api 12.3 us, worker ..., postgres 40 us (api 30, worker 8, ...)" for the processes a meter measured. */
export function cpuLine(used: Record<string, number>, events: number): string {
  const parts = Object.entries(used).filter(([name]) => name.startsWith('postgres.'));
  return Object.entries(used)
    .filter(([name]) => !name.startsWith('postgres.'))
    .map(([name, ms]) => {
      const line = `${name} ${usPerEvent(ms, events)} us`;
      if (name !== 'postgres' || parts.length === 0) return line;
      return `${line} (${parts.map(([part, partMs]) => `${part.slice('postgres.'.length)} ${usPerEvent(partMs, events)}`).join(', ')})`;
    })
    .join(', ');
}

/** An ingest key and the benches' default plan (every event priced), through the admin API. */
export async function setUpOrganization(baseUrl: string, adminKey: string, plan: unknown): Promise<string> {
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const res = await fetch(baseUrl + '/v1/api_keys', { method: 'POST', headers, body: JSON.stringify({ scope: 'ingest', name: 'bench' }) });
  const key = ((await res.json()) as { key: string }).key;
  const put = await fetch(baseUrl + '/v1/plans/default', { method: 'PUT', headers, body: JSON.stringify(plan) });
  if (!put.ok) throw new Error(`PUT /v1/plans/default answered ${put.status}: ${await put.text()}`);
  return key;
}

/**
 * One keep-alive HTTP/1.1 connection that sends GETs one at a time, prebuilt as bytes, and reads each response by
 * its content-length: what a load generator like wrk does. The readers of bench:entitlement share the machine's two
 * cores with the api, the worker and Postgres: with node:http's client the load client used 34% of a core at 4,500
 * requests/s, with this one 22% at 7,000 (the ingest sender included), CPU left to the api.
 */
export class RawGetConnection {
  private readonly socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: { status: number; ms: number }) => void; reject: (e: Error) => void; t0: bigint } | null = null;
  private readonly ready: Promise<void>;

  constructor(
    url: URL,
    private readonly headers: Record<string, string>,
  ) {
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('the api closed the connection')));
  }

  /** The request's bytes, to build once and send many times. */
  request(path: string): Buffer {
    const lines = [`GET ${path} HTTP/1.1`, 'host: bench', ...Object.entries(this.headers).map(([k, v]) => `${k}: ${v}`)];
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  }

  async get(request: Buffer): Promise<{ status: number; ms: number }> {
    await this.ready;
    if (this.pending) throw new Error('one request at a time on a connection');
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, t0: process.hrtime.bigint() };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || this.pending === null) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length === null) return this.fail(new Error(`a response without content-length: ${head.split('\r\n')[0]}`));
    const total = end + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const { resolve, t0 } = this.pending;
    this.pending = null;
    this.buffer = this.buffer.subarray(total);
    resolve({ status: Number(head.slice(9, 12)), ms: Number(process.hrtime.bigint() - t0) / 1e6 });
  }

  private fail(err: Error) {
    const pending = this.pending;
    this.pending = null;
    pending?.reject(err);
  }
}
