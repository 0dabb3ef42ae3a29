import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { loadConfig, TollgateConfig } from '@tollgate/config';
import { createApi } from '../../../apps/api/src/create-api';
import { createTestDatabase, TEST_REDIS_URL, TestDatabase } from './db';

export const TEST_ADMIN_KEY = 'tg_admin_test_operator_key_0123456789';
/** The server secret API keys are hashed with in tests (TOLLGATE_SECRET). */
export const TEST_SECRET = 'tollgate-test-secret-0123456789abcdef-0123456789';

export interface TestApi {
  baseUrl: string;
  adminKey: string;
  ingestKey: string;
  databaseUrl: string;
  config: TollgateConfig;
  app: NestFastifyApplication;
  /** fetch against the api with a key (the admin key by default). */
  request(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/**
 * The real api on a fresh migrated database and the local Redis, listening on a free port.
 * `env` overrides configuration (e.g. DATABASE_URL pointing through a TcpProxy); `adminKey` is the key its
 * requests use by default (TOLLGATE_ADMIN_KEY's unless a database given in DATABASE_URL has other keys).
 */
export async function startTestApi(env: Record<string, string> = {}, options: { adminKey?: string } = {}): Promise<TestApi> {
  const adminKey = options.adminKey ?? TEST_ADMIN_KEY;
  let db: TestDatabase | undefined;
  if (!env.DATABASE_URL) db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db?.url,
    REDIS_URL: TEST_REDIS_URL,
    TOLLGATE_ADMIN_KEY: TEST_ADMIN_KEY,
    TOLLGATE_SECRET: TEST_SECRET,
    RATE_LIMIT_PER_SECOND: '100000',
    // Each api gets queues of its own, so parallel test files never take each other's jobs.
    QUEUE_PREFIX: `{tollgate-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}}`,
    ...env,
  });
  const app = await createApi(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const request: TestApi['request'] = async (method, path, body, key = adminKey) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (e.g. /metrics)
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  const created = await request('POST', '/v1/api_keys', { scope: 'ingest', name: 'test ingest key' });
  if (created.status !== 200 && created.status !== 201) throw new Error(`could not create an ingest key: ${JSON.stringify(created.body)}`);
  return {
    baseUrl,
    adminKey,
    ingestKey: created.body.key,
    databaseUrl: config.databaseUrl,
    config,
    app,
    request,
    async close() {
      await app.close();
      await db?.drop();
    },
  };
}
