'use strict';
// Programmatic `prisma migrate deploy`, for test harnesses and benchmarks that migrate a database of their own.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const pg = require('pg');
const { ROOT, PRISMA_CLI, withSchemaEngine } = require('./env');

const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
const PRISMA_TIMEOUT_MS = 120_000;

function migrationNames() {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function runPrisma(args, databaseUrl) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PRISMA_CLI, ...args],
      // The timeout stops a command that waits on a prompt (e.g. `migrate dev` without --name) from hanging a test.
      { cwd: ROOT, env: withSchemaEngine({ ...process.env, DATABASE_URL: databaseUrl }), maxBuffer: 16 << 20, timeout: PRISMA_TIMEOUT_MS },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const how = err.killed ? `killed after ${PRISMA_TIMEOUT_MS} ms` : `exit ${err.code}`;
        reject(new Error(`prisma ${args.join(' ')} failed (${how}):\n${stdout}${stderr}`));
      },
    );
  });
}

/**
 * Runs the real `prisma migrate deploy` against `databaseUrl` and returns the names of the applied migrations.
 * It then checks `_prisma_migrations` itself rather than trusting the exit code alone: Prisma 7.10's CLI can
 * exit 0 when its engine dies early.
 */
async function migrateDeploy(databaseUrl) {
  const output = await runPrisma(['migrate', 'deploy'], databaseUrl);
  const expected = migrationNames();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
    const { rows } = table.rows[0].present
      ? await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')
      : { rows: [] };
    const applied = new Set(rows.map((r) => r.migration_name));
    const missing = expected.filter((m) => !applied.has(m));
    if (missing.length > 0) throw new Error(`prisma migrate deploy did not apply ${missing.join(', ')}:\n${output}`);
  } finally {
    await client.end();
  }
  return expected;
}

module.exports = { migrateDeploy, migrationNames, runPrisma, MIGRATIONS_DIR };
