#!/usr/bin/env node
'use strict';
// `node tools/prisma-engine/prisma.js <prisma args>`: the Prisma CLI with a schema engine that works here.
const { spawnSync } = require('node:child_process');
const { PRISMA_CLI, withSchemaEngine } = require('./env');

const run = spawnSync(process.execPath, [PRISMA_CLI, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: withSchemaEngine(),
});
process.exit(run.status ?? 1);
