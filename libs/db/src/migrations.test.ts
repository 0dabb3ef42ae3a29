import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    execFile(
      process.execPath,
      [CHECK, ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl('postgres') } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
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

/**
 * The schema with, on top of `schemaWithExtraField`'s column, one `@@index` fewer and one more table, written
 * to `file`. Returns the dropped index's name (Prisma's default: table_columns_idx).
 */
function writeChangedSchema(file: string): string {
  schemaWithExtraField(file);
  const schema = readFileSync(file, 'utf8');
  const plainIndex = /^[ \t]*@@index\(\[([\w, ]+)\]\)[ \t]*\n/m;
  const model = [...schema.matchAll(/^model (\w+) \{\n[\s\S]*?^\}/gm)].find((m) => plainIndex.test(m[0]));
  if (!model) throw new Error('prisma/schema.prisma has no plain @@index([...]) left to drop');
  const index = plainIndex.exec(model[0])!;
  const things = '\nmodel migration_test_things {\n  id    BigInt @id @default(autoincrement())\n  label String\n}\n';
  writeFileSync(file, schema.replace(model[0], model[0].replace(index[0], '')) + things);
  return `${model[1]}_${index[1].split(/,\s*/).join('_')}_idx`;
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

  it('applies a hand-written migration whole: semicolons and quotes in comments, strings and a function body', async () => {
    const dir = path.join(tmp, 'hand-written');
    cpSync(MIGRATIONS_DIR, path.join(dir, 'migrations'), { recursive: true });
    mkdirSync(path.join(dir, 'migrations', '29991231000000_hand_written'));
    writeFileSync(
      path.join(dir, 'migrations', '29991231000000_hand_written', 'migration.sql'),
      [
        "-- A note; with a semicolon, and an apostrophe: it's here.",
        'CREATE FUNCTION migration_test_greet(who text) RETURNS text LANGUAGE plpgsql AS $$',
        'DECLARE greeting text;',
        "BEGIN greeting := 'hello; ' || who; RETURN greeting; END;",
        '$$;',
        "COMMENT ON FUNCTION migration_test_greet(text) IS 'says hello; politely';",
        '',
      ].join('\n'),
    );
    const config = path.join(dir, 'prisma.config.mjs');
    writeFileSync(
      config,
      `export default { schema: ${JSON.stringify(SCHEMA)}, migrations: { path: ${JSON.stringify(path.join(dir, 'migrations'))} }, ` +
        'datasource: { url: process.env.DATABASE_URL } };\n',
    );
    const handName = uniqueName('tollgate_test_hand_written');
    await withAdminClient((c) => c.query(`CREATE DATABASE "${handName}"`));
    try {
      await runPrisma(['migrate', 'deploy', '--config', config], databaseUrl(handName));
      const [row] = await query<{ greeting: string }>(databaseUrl(handName), "SELECT migration_test_greet('you') AS greeting");
      expect(row.greeting).toBe('hello; you');
      const applied = await query<{ migration_name: string }>(
        databaseUrl(handName),
        "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND migration_name LIKE '%hand_written'",
      );
      expect(applied).toHaveLength(1);
    } finally {
      await dropDatabase(handName);
    }
  });

  // A fresh database is the case that broke once: `migrate dev` applies the existing migrations there only after
  // its first look at the history, so the new migration is computed from migrations the engine had not seen
  // applied (see NEEDS_CACHED_MIGRATIONS in tools/prisma-engine/schema-engine.js).
  describe('migrate dev, status and reset on a fresh database, with a copy of the schema and migrations', () => {
    let devName: string;
    let devUrl: string;
    let dir: string;
    let config: string;
    let droppedIndex: string;
    const prisma = (...args: string[]) => runPrisma([...args, '--config', config], devUrl);
    const migrationsIn = (url: string) =>
      query<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1');

    beforeAll(() => {
      devName = uniqueName('tollgate_test_migrate_dev');
      devUrl = databaseUrl(devName); // not created: migrate dev creates it, as for a new developer
      dir = path.join(tmp, 'dev');
      cpSync(MIGRATIONS_DIR, path.join(dir, 'migrations'), { recursive: true });
      droppedIndex = writeChangedSchema(path.join(dir, 'schema.prisma'));
      config = path.join(dir, 'prisma.config.mjs');
      writeFileSync(
        config,
        `export default { schema: ${JSON.stringify(path.join(dir, 'schema.prisma'))}, ` +
          `migrations: { path: ${JSON.stringify(path.join(dir, 'migrations'))} }, ` +
          'datasource: { url: process.env.DATABASE_URL } };\n',
      );
    });

    afterAll(() => dropDatabase(devName));

    it('migrate dev --create-only writes a migration that adds a column and a table and drops an index', async () => {
      await prisma('migrate', 'dev', '--name', 'change', '--create-only');
      const added = readdirSync(path.join(dir, 'migrations')).filter((d) => d.endsWith('_change'));
      expect(added).toHaveLength(1);
      const sql = readFileSync(path.join(dir, 'migrations', added[0], 'migration.sql'), 'utf8');
      expect(sql).toContain(`DROP INDEX "${droppedIndex}";`);
      expect(sql).toMatch(/ALTER TABLE "organizations" ADD COLUMN\s+"migration_test_note" TEXT;/);
      expect(sql).toContain('CREATE TABLE "migration_test_things"');
      // The existing migrations were applied, the new one only written.
      expect((await migrationsIn(devUrl)).map((r) => r.migration_name)).toEqual(migrationNames());
      await expect(prisma('migrate', 'status')).rejects.toThrow(/not yet been applied:\s+\d+_change/);
    });

    it('migrate dev then applies it, and migrate status reports the database up to date', async () => {
      // With a name, so that should it see changes again it never stops to ask for one.
      await prisma('migrate', 'dev', '--name', 'change');
      const all = readdirSync(path.join(dir, 'migrations'))
        .filter((d) => d !== 'migration_lock.toml')
        .sort();
      expect((await migrationsIn(devUrl)).map((r) => r.migration_name)).toEqual(all);
      const columns = await query(
        devUrl,
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'organizations' AND column_name = 'migration_test_note'",
      );
      expect(columns).toHaveLength(1);
      expect(await query(devUrl, `SELECT 1 FROM pg_indexes WHERE indexname = '${droppedIndex}'`)).toHaveLength(0);
      expect(await prisma('migrate', 'status')).toContain('Database schema is up to date!');
    });

    it('migrate reset --force empties the database and re-applies every migration', async () => {
      await query(devUrl, "INSERT INTO migration_test_things (label) VALUES ('gone after reset')");
      await prisma('migrate', 'reset', '--force');
      expect(await query(devUrl, 'SELECT * FROM migration_test_things')).toHaveLength(0);
      expect(await migrationsIn(devUrl)).toHaveLength(migrationNames().length + 1);
      expect(await prisma('migrate', 'status')).toContain('Database schema is up to date!');
    });
  });
});
