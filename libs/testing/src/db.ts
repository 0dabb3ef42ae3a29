import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// Tests never touch a developer's `tollgate` database: each run migrates a template database of its own
// (jest globalSetup), each test file clones it, and both are dropped at the end.

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = '/' + name;
  return u.toString();
}

export async function withAdminClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from this run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.TOLLGATE_TEST_TEMPLATE_DB;
  if (!template) throw new Error('TOLLGATE_TEST_TEMPLATE_DB is not set: run the tests with `npm test` (jest globalSetup makes it)');
  const name = uniqueName('tollgate_test');
  // CREATE DATABASE ... TEMPLATE needs the template to have no other session; retry briefly if one is cloning.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdminClient((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (err) {
      if (attempt >= 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}
