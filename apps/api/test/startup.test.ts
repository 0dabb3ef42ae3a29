import { createTestDatabase, freePort, startAppProcess, type TestDatabase, waitFor } from '@tollgate/testing';

// The api as its users start it (apps/api/src/main.ts in a child process): clear messages, keys never logged.

async function exitOf(env: Record<string, string>, app: 'api' | 'worker' = 'api') {
  const p = startAppProcess(app, env);
  await p.exited();
  return { code: p.child.exitCode, output: p.output() };
}

describe('starting the api', () => {
  it('says which service is unreachable, where, and how to start it, without a stack trace', async () => {
    const pg = await exitOf({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/tollgate' });
    expect(pg.code).toBe(1);
    expect(pg.output).toMatch(/Postgres not reachable at 127\.0\.0\.1:1 .*docker compose up -d/);
    expect(pg.output).not.toMatch(/^\s+at /m);

    const redis = await exitOf({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(redis.code).toBe(1);
    expect(redis.output).toMatch(/Redis not reachable at 127\.0\.0\.1:1 .*docker compose up -d/);

    const config = await exitOf({ PORT: 'eighty' });
    expect(config.output).toMatch(/PORT must be an integer/);
  });

  it('asks for migrations on a database without them', async () => {
    const res = await exitOf({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/npm run db:migrate/);
  });
});

describe('starting the worker', () => {
  it('refuses a bad PRICE_CONCURRENCY before connecting to anything', async () => {
    const res = await exitOf({ PRICE_CONCURRENCY: '0', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/tollgate' }, 'worker');
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/PRICE_CONCURRENCY must be an integer of at least 1, got "0"/);
  });
});

describe('logs', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('say why the api will not start without TOLLGATE_SECRET, in one line', async () => {
    const res = await exitOf({ DATABASE_URL: db.url, TOLLGATE_SECRET: '', PORT: String(await freePort()), HOST: '127.0.0.1' });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/TOLLGATE_SECRET is not set/);
    expect(res.output).not.toMatch(/^\s+at /m);
  });

  it('are JSON lines and never contain a key', async () => {
    const adminKey = 'tg_admin_log_test_0123456789abcdef';
    const port = String(await freePort());
    const api = startAppProcess('api', {
      DATABASE_URL: db.url,
      TOLLGATE_ADMIN_KEY: adminKey,
      PORT: port,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      QUEUE_PREFIX: `{log-test-${process.pid}}`,
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitFor(async () => (await fetch(base + '/healthz').catch(() => null))?.ok === true, 30_000, 'the api to listen');
      const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
      const created = (await (
        await fetch(base + '/v1/api_keys', { method: 'POST', headers, body: '{"scope":"ingest","name":"x"}' })
      ).json()) as { key: string };
      await fetch(base + '/v1/events', {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${created.key}` },
        body: '{"events":[{"transaction_id":"a","external_customer_id":"c","provider":"openai","model":"gpt-4o"}]}',
      });
      await fetch(base + '/v1/events?cursor=' + created.key, { headers });
      await fetch(base + '/v1/events', { headers: { authorization: 'Bearer tg_admin_wrong_key_987654321' } });
      await waitFor(async () => api.output().includes('"status":401'), 10_000, 'the request log line');
      const output = api.output();
      for (const secret of [adminKey, created.key, 'tg_admin_wrong_key_987654321']) expect(output).not.toContain(secret);
      const lines = output.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(3);
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    } finally {
      await api.stop();
    }
  });
});
