#!/usr/bin/env node
'use strict';
// `npm run db:check`: fails when prisma/schema.prisma and prisma/migrations disagree.
// It replays the migrations into a scratch database it creates and drops itself (Prisma's "shadow
// database"), so it needs only a Postgres server, never the `tollgate` database.
// Options: --schema FILE, --migrations DIR (defaults: the project's).
const { spawn } = require('node:child_process');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const pg = require('pg');
const { ROOT, PRISMA_CLI, DEFAULT_DATABASE_URL, withSchemaEngine } = require('./env');

const EMPTY_DIFF = '-- This is an empty migration.';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? path.resolve(process.argv[i + 1]) : fallback;
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function main() {
  const schema = option('--schema', path.join(ROOT, 'prisma', 'schema.prisma'));
  const migrations = option('--migrations', path.join(ROOT, 'prisma', 'migrations'));
  // The server's maintenance database: always there, and the diff never writes to it.
  const serverUrl = withDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, 'postgres');
  const scratch = `tollgate_check_${process.pid}_${randomBytes(4).toString('hex')}`;

  await admin(serverUrl, `CREATE DATABASE "${scratch}"`);
  let result;
  try {
    const env = withSchemaEngine({ ...process.env, DATABASE_URL: serverUrl, SHADOW_DATABASE_URL: withDatabase(serverUrl, scratch) });
    const args = ['migrate', 'diff', '--from-migrations', migrations, '--to-schema', schema, '--script', '--exit-code'];
    result = await run(args, env);
  } finally {
    await admin(serverUrl, `DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
  }

  const rel = (p) => path.relative(process.cwd(), p) || '.';
  // Exit 0 alone is not trusted: Prisma 7.10's CLI can exit 0 when its engine dies, so we also want the
  // engine's explicit "empty migration" answer.
  if (result.code === 0 && result.stdout.includes(EMPTY_DIFF)) {
    console.log(`db:check: ${rel(migrations)} matches ${rel(schema)}.`);
    return 0;
  }
  if (result.code === 2) {
    console.error(`db:check FAILED: ${rel(schema)} has changes that no migration in ${rel(migrations)} makes.`);
    console.error('The missing migration would be:\n');
    console.error(result.stdout.trim());
    console.error('\nCreate it with: npm run db:migrate:dev -- --name <what_changed>');
    return 1;
  }
  console.error(`db:check FAILED: could not compare ${rel(schema)} with ${rel(migrations)} (prisma exit ${result.code}).`);
  console.error(`${result.stdout}${result.stderr}`.trim());
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`db:check FAILED: ${err.message}`);
    process.exit(1);
  },
);
