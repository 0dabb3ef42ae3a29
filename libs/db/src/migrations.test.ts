import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { databaseUrl, dropDatabase, uniqueName, withAdminClient } from '@tollgate/testing';
import { migrateDeploy, migrationNames, runPrisma, MIGRATIONS_DIR } from '../../../tools/prisma-engine/migrate';

// The migrations in prisma/migrations, driven by the real Prisma CLI through tools/prisma-engine.

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const CHECK = path.join(ROOT, 'tools', 'prisma-engine', 'check.js');

function runCheck(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHECK, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl('postgres') } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
    );
  });
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The schema with one more optional column on `organizations`, written to `file`. */
function schemaWithExtraField(file: string): void {
  const schema = readFileSync(SCHEMA, 'utf8');
  const changed = schema.replace(/(model organizations \{\n)/, '$1  migration_test_note String?\n');
  expect(changed).not.toBe(schema);
  writeFileSync(file, changed);
}

describe('prisma migrations', () => {
  let name: string;
  let url: string;
  let tmp: string;

  beforeAll(async () => {
    name = uniqueName('tollgate_test_migrations');
    url = databaseUrl(name);
    await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
    tmp = mkdtempSync(path.join(tmpdir(), 'tollgate-migrations-'));
  });

  afterAll(async () => {
    await dropDatabase(name);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('migrate deploy creates every model table and records each migration with its checksum', async () => {
    const applied = await migrateDeploy(url);
    expect(applied).toEqual(migrationNames());
    expect(applied.length).toBeGreaterThan(0);

    const models = [...readFileSync(SCHEMA, 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual([...models, '_prisma_migrations'].sort());

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('migrate status then reports the database up to date', async () => {
    const out = await runPrisma(['migrate', 'status'], url);
    expect(out).toContain(`${migrationNames().length} migration`);
    expect(out).toContain('Database schema is up to date!');
  });

  it('db:check passes on the project schema and fails, showing the missing SQL, on a changed one', async () => {
    const ok = await runCheck([]);
    expect(ok.out).toContain('matches');
    expect(ok.code).toBe(0);

    const changed = path.join(tmp, 'drift.prisma');
    schemaWithExtraField(changed);
    const drift = await runCheck(['--schema', changed]);
    expect(drift.code).toBe(1);
    expect(drift.out).toContain('db:check FAILED');
    expect(drift.out).toMatch(/ALTER TABLE "organizations" ADD COLUMN\s+"migration_test_note" TEXT/);
  });

  it('migrate dev adds a migration for a schema change (throwaway shadow database), and deploy applies it', async () => {
    // A copy of the project's migrations and a config of our own, so the real ones are never touched.
    const dir = path.join(tmp, 'dev');
    cpSync(MIGRATIONS_DIR, path.join(dir, 'migrations'), { recursive: true });
    schemaWithExtraField(path.join(dir, 'schema.prisma'));
    const config = path.join(dir, 'prisma.config.mjs');
    writeFileSync(
      config,
      `export default { schema: ${JSON.stringify(path.join(dir, 'schema.prisma'))}, ` +
        `migrations: { path: ${JSON.stringify(path.join(dir, 'migrations'))} }, ` +
        'datasource: { url: process.env.DATABASE_URL } };\n',
    );

    await runPrisma(['migrate', 'dev', '--config', config, '--name', 'add_note', '--create-only'], url);
    const added = readdirSync(path.join(dir, 'migrations')).filter((d) => d.endsWith('_add_note'));
    expect(added).toHaveLength(1);
    const sql = readFileSync(path.join(dir, 'migrations', added[0], 'migration.sql'), 'utf8');
    expect(sql).toMatch(/ALTER TABLE "organizations" ADD COLUMN\s+"migration_test_note" TEXT/);

    await runPrisma(['migrate', 'deploy', '--config', config], url);
    const columns = await query<{ column_name: string }>(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'organizations' AND column_name = 'migration_test_note'",
    );
    expect(columns).toHaveLength(1);
    expect(await runPrisma(['migrate', 'status', '--config', config], url)).toContain('Database schema is up to date!');
  });
});
