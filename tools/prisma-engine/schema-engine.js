#!/usr/bin/env node
'use strict';
// A stand-in for Prisma's native schema engine, for machines where the CLI cannot download it.
// The Prisma CLI runs whatever PRISMA_SCHEMA_ENGINE_BINARY names, in two ways:
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database|create-database
//   schema-engine --datamodels FILE… --datasource '{"url":…,"shadowDatabaseUrl":…}'   (JSON-RPC on stdin/stdout)
// We answer both with the engine the CLI ships compiled to WebAssembly, reaching Postgres through
// @prisma/adapter-pg. Versions are pinned and explained in docs/migrations.md.

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { randomUUID } = require('node:crypto');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

const PG_CHAR_OID = 18; // Postgres's internal one-byte "char" type
const PG_TEXT_OID = 25;

function parseArgs(argv) {
  const out = { datamodels: [], datasource: {}, cliCommand: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--datamodels') out.datamodels.push(argv[++i]);
    else if (argv[i] === '--datasource') out.datasource = JSON.parse(argv[++i]);
    else if (argv[i] === 'cli') out.cliCommand = argv[++i];
    else if (argv[i].startsWith('--')) i++; // preview features, extension types: not used by Postgres
  }
  return out;
}

// The engine the CLI itself was built with (node_modules/prisma/build/schema_engine_bg.wasm), driven by the
// wasm-bindgen glue from @prisma/schema-engine-wasm. wasm-bindgen hashes every import name, so checking that
// the glue provides each import the module asks for proves the pair fits before we run it.
async function loadWasmEngine() {
  const wasmPath = path.join(path.dirname(require.resolve('prisma/package.json')), 'build/schema_engine_bg.wasm');
  const glue = await import(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const missing = WebAssembly.Module.imports(module).filter((i) => typeof glue[i.name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `${wasmPath} does not fit the installed @prisma/schema-engine-wasm glue (missing ${missing[0].name}); ` +
        'install the versions pinned in docs/migrations.md',
    );
  }
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
}

// Workaround 1: adapter-pg 7.10.1 has no column type for "char" (pg_constraint.contype and friends, read
// while the engine describes a schema) and fails the whole query. Its text form is the character itself,
// so we report such columns as text. Transactions get their own queryable, so patch those too.
// Workaround 4: its executeScript() splits a migration on every ";", also inside comments, string literals and
// function bodies, and runs the pieces one by one. Like the native engine, we send the script whole, as one
// simple-protocol query: Postgres parses it properly and runs it as one implicit transaction.
function patchQueryable(queryable) {
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  if (queryable.executeScript) {
    queryable.executeScript = async (script) => {
      try {
        await queryable.underlyingDriver().query(script);
      } catch (error) {
        queryable.onError(error);
      }
    };
  }
  if (queryable.startTransaction) {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => patchQueryable(await startTransaction(...args));
  }
  return queryable;
}

function sameDatabase(a, b) {
  const [x, y] = [new URL(a), new URL(b)];
  return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && databaseName(a) === databaseName(b);
}

// adapter-pg's factory, with our own shadow database handling.
class PgFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';
  createdShadows = new Set();

  constructor({ url, shadowDatabaseUrl }) {
    this.url = url;
    this.shadowDatabaseUrl = shadowDatabaseUrl;
  }

  async connect() {
    return patchQueryable(await new PrismaPg({ connectionString: this.url }).connect());
  }

  async connectToShadowDb() {
    if (this.shadowDatabaseUrl) return this.connectToConfiguredShadow(this.shadowDatabaseUrl);
    return this.connectToThrowawayShadow();
  }

  // A configured shadow database is emptied first, as the native engine does (the wasm engine does not),
  // so leftovers of an earlier run cannot break replaying the migrations.
  async connectToConfiguredShadow(url) {
    if (sameDatabase(url, this.url)) {
      throw new Error('The shadow database URL points at the main database; it would be wiped. Use another database.');
    }
    await withClient(url, async (c) => {
      const { rows } = await c.query(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
      );
      for (const { nspname } of rows) await c.query(`DROP SCHEMA "${nspname.replace(/"/g, '""')}" CASCADE`);
      await c.query('CREATE SCHEMA public');
    });
    return patchQueryable(await new PrismaPg({ connectionString: url }).connect());
  }

  // Otherwise a throwaway database next to the main one. Two adapter-pg bugs live here:
  // Workaround 2: its connectToShadowDb() spreads {connectionString, database} into pg's config, and pg lets
  //   the connection string win, so the "shadow" pool talks to the main database. We build the shadow URL.
  // Workaround 3: its dispose drops the shadow database before closing the pool still connected to it, which
  //   Postgres refuses ("being accessed by other users"). We close the shadow pool first, then drop.
  //   (WITH (FORCE) is only for dropLeftoverShadows, when a failed command never disposed its pool.)
  async connectToThrowawayShadow() {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withClient(this.url, (c) => c.query(`CREATE DATABASE "${name}"`));
    this.createdShadows.add(name);
    const shadow = patchQueryable(await new PrismaPg({ connectionString: withDatabase(this.url, name) }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await this.dropShadow(name);
    };
    return shadow;
  }

  async dropShadow(name) {
    await withClient(this.url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    this.createdShadows.delete(name);
  }

  // If a command failed before the engine disposed its shadow database, drop it on the way out.
  async dropLeftoverShadows() {
    for (const name of [...this.createdShadows]) await this.dropShadow(name);
  }
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---- `cli` subcommands: the CLI reads an exit code and JSON log lines on stderr (it skips the first line).

function logLine(level, fields) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' })}\n`);
}

function connectionError(err, url) {
  const u = new URL(url);
  const at = `${u.hostname}:${u.port || 5432}`;
  if (err.code === '3D000') {
    return { error_code: 'P1003', message: `Database \`${databaseName(url)}\` does not exist on the database server at \`${at}\`.` };
  }
  if (err.code === '28P01' || err.code === '28000') {
    return { error_code: 'P1000', message: `Authentication failed against database server at \`${at}\`: ${err.message}` };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(err.code)) {
    return { error_code: 'P1001', message: `Can't reach database server at \`${at}\`` };
  }
  return { message: err.message };
}

async function runCliCommand(command, url) {
  logLine('INFO', { message: `schema-engine (wasm) cli ${command}` });
  try {
    if (command === 'can-connect-to-database') {
      await withClient(url, (c) => c.query('SELECT 1'));
    } else if (command === 'create-database') {
      const name = databaseName(url);
      await withClient(withDatabase(url, 'postgres'), (c) => c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`));
      process.stdout.write(`${JSON.stringify({ result: { databaseName: name } })}\n`);
    } else {
      throw new Error(`unsupported command: cli ${command}`);
    }
    return 0;
  } catch (err) {
    logLine('ERROR', connectionError(err, url));
    return 1;
  }
}

// ---- JSON-RPC mode.

// The CLI's method names are the engine's, except this one.
const METHOD_ALIASES = { getDatabaseVersion: 'version' };

// The wasm engine hands the adapter's shadow database only to devDiagnostic, diagnoseMigrationHistory and diff.
// evaluateDataLoss and createMigration instead reuse the schema those built from the same migrations list (a
// per-engine cache keyed by the list) and fail with this message on a miss. devDiagnostic caches only the
// migrations applied at that moment, so on a database that `migrate dev` brings up to date after it (fresh,
// or with pending migrations) they miss. diagnoseMigrationHistory, opted in to the shadow database, caches
// the list once it is applied; then we retry.
const NEEDS_CACHED_MIGRATIONS = new Set(['evaluateDataLoss', 'createMigration']);
const NO_SHADOW_DB = 'shadow DB must be provided through an external factory';

async function callEngine(engine, method, params) {
  try {
    return await engine[method](params);
  } catch (err) {
    if (!NEEDS_CACHED_MIGRATIONS.has(method) || !String(err?.message ?? err).includes(NO_SHADOW_DB)) throw err;
    const { migrationsList, filters } = params;
    await engine.diagnoseMigrationHistory({ migrationsList, filters, optInToShadowDatabase: true });
    return engine[method](params);
  }
}

let panicMessage = null;

function rpcError(err, errorRegistry) {
  // Plain JS exceptions thrown inside the adapter are parked in the registry; the engine only sees an id.
  const parked = errorRegistry.registeredErrors.filter(Boolean).map((e) => e.error?.message ?? String(e.error));
  errorRegistry.registeredErrors.length = 0;
  const message = [err?.message ?? String(err), ...parked].join('\n');
  if (err instanceof WebAssembly.RuntimeError) {
    const reason = panicMessage ?? message;
    return { code: 4466, message: reason, data: { is_panic: true, message: reason, error: { message: reason } } };
  }
  return {
    code: 4466,
    message: 'An error happened. Check the data field for details.',
    data: { is_panic: false, message, error_code: err?.code, meta: err?.meta },
  };
}

async function serveRpc({ datamodels, datasource }) {
  const pgFactory = new PgFactory(datasource);
  const factory = bindMigrationAwareSqlAdapterFactory(pgFactory);
  // The engine reports Rust panics through this global before it traps.
  globalThis.PRISMA_WASM_PANIC_REGISTRY = {
    set_message: (m) => {
      panicMessage = m;
    },
  };
  const files = datamodels.length > 0 ? datamodels.map((f) => [f, fs.readFileSync(f, 'utf8')]) : undefined;
  const enginePromise = loadWasmEngine().then((glue) =>
    glue.SchemaEngine.new({ datamodels: files }, (log) => process.stderr.write(`${log}\n`), factory),
  );
  enginePromise.catch(() => {}); // reported per request below

  let nextOwnId = 1_000_000;
  const pendingPrints = new Map();
  const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  // The native engine prints `migrate diff` output by asking the CLI to print it; the wasm engine returns it.
  const print = (content) =>
    new Promise((resolve) => {
      const id = nextOwnId++;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  const handle = async (request) => {
    const method = METHOD_ALIASES[request.method] ?? request.method;
    try {
      const engine = await enginePromise;
      if (typeof engine[method] !== 'function') throw new Error(`Method not found: ${request.method}`);
      const result = await callEngine(engine, method, request.params ?? {});
      if (method === 'diff' && result?.stdout) {
        const { stdout, ...rest } = result;
        await print(stdout.replace(/\n$/, ''));
        send({ jsonrpc: '2.0', id: request.id, result: rest });
      } else {
        send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
      }
    } catch (err) {
      send({ jsonrpc: '2.0', id: request.id, error: rpcError(err, factory.errorRegistry) });
    }
  };

  // One request at a time, in order, as the native engine does. Even when the engine failed to start we
  // keep answering (with errors) until the CLI closes stdin: Prisma 7.10's CLI waits for an engine that
  // already exited with an unref'd timer, so an early exit makes commands like `migrate diff` exit 0.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const msg = JSON.parse(line);
    if (msg.method === undefined && pendingPrints.has(msg.id)) {
      pendingPrints.get(msg.id)();
      pendingPrints.delete(msg.id);
      return;
    }
    queue = queue.then(() => handle(msg));
  });
  await new Promise((resolve) => lines.on('close', resolve));
  await queue;
  const engine = await enginePromise.catch(() => null);
  engine?.free();
  await pgFactory.dropLeftoverShadows();
}

async function main() {
  if (process.argv.includes('--version')) {
    process.stdout.write(`schema-engine-wasm ${(await loadWasmEngine()).version()}\n`);
    return 0;
  }
  const args = parseArgs(process.argv.slice(2));
  if (!args.datasource.url) throw new Error('schema-engine: --datasource with a url is required');
  if (args.cliCommand) return runCliCommand(args.cliCommand, args.datasource.url);
  await serveRpc(args);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    logLine('ERROR', { message: err?.stack ?? String(err) });
    process.exit(1);
  },
);
