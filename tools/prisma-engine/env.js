'use strict';
// Which schema engine the Prisma CLI should run, shared by the npm scripts and migrate.js.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PRISMA_CLI = require.resolve('prisma/build/index.js');
const WASM_ENGINE = path.join(__dirname, 'schema-engine.js');
const DEFAULT_DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:5432/tollgate';

// The native engine, if the CLI (or `prisma` postinstall) ever managed to download it.
function nativeEngine() {
  const dir = path.dirname(require.resolve('@prisma/engines/package.json'));
  const file = fs.readdirSync(dir).find((f) => /^schema-engine-/.test(f) && !f.endsWith('.gz') && !f.endsWith('.sha256'));
  return file ? path.join(dir, file) : null;
}

/** `env` plus PRISMA_SCHEMA_ENGINE_BINARY: the user's choice, else the native engine if present, else ours. */
function withSchemaEngine(env = process.env) {
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) return { ...env };
  return { ...env, PRISMA_SCHEMA_ENGINE_BINARY: nativeEngine() ?? WASM_ENGINE };
}

module.exports = { ROOT, PRISMA_CLI, WASM_ENGINE, DEFAULT_DATABASE_URL, withSchemaEngine };
