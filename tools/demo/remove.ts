import 'reflect-metadata';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@tollgate/config';
import { DbModule, OrganizationsRepository } from '@tollgate/db';

// `npm run demo:remove [-- <organization id>]`: removes the demo organisation `npm start` seeded (or the one
// named, e.g. one `npm run demo` made) with all its data. The operator's default organisation is never removed.
// Once removed, `npm start` does not seed it again (the .data/demo.json record stays, marked removed).

const root = resolve(__dirname, '../../..');
const STATE = join(process.env.TOLLGATE_DATA_DIR || join(root, '.data'), 'demo.json');

async function main(): Promise<void> {
  const state = existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as { organizationId: string; adminKeyFile?: string }) : null;
  const id = process.argv[2] ?? state?.organizationId;
  if (!id) throw new Error('no demo organisation recorded in .data/demo.json: name one, `npm run demo:remove -- <organization id>`');
  const app = await NestFactory.createApplicationContext(DbModule.forRoot(loadConfig(), 1), { logger: false });
  try {
    const removed = await app.get(OrganizationsRepository).removeWithData(id);
    console.log(removed ? `demo: removed organisation ${id} and all its data` : `demo: no organisation ${id} (removed already?)`);
  } finally {
    await app.close();
  }
  if (state && state.organizationId === id && state.adminKeyFile) rmSync(state.adminKeyFile, { force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
