import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DemoApi } from './demo-api';
import { portalLinks, seedDemo, type DemoResult } from './seed';

// `npm start` runs `main.js --on-start` beside the api and worker: the first time, on a database with no
// customers yet, it seeds the `demo` organisation (TOLLGATE_DEMO=0: never); later it prints fresh portal links.
// `npm run demo` (`main.js --fresh`) seeds another organisation on demand into the running api.

const root = resolve(__dirname, '../../..');
// TOLLGATE_DATA_DIR as scripts/run.js reads it.
const dataDir = process.env.TOLLGATE_DATA_DIR || join(root, '.data');
const STATE = join(dataDir, 'demo.json');

interface DemoState {
  organizationId: string;
  name: string;
  /** Where the demo organisation's admin key is kept (mode 600). */
  adminKeyFile: string;
}

const log = (line: string) => console.log(line);

function operatorKey(): string {
  const key =
    process.env.TOLLGATE_ADMIN_KEY ||
    (existsSync(join(dataDir, 'admin-key')) ? readFileSync(join(dataDir, 'admin-key'), 'utf8').trim() : '');
  if (!key) throw new Error('no operator key: set TOLLGATE_ADMIN_KEY, or run `npm start` once (it makes .data/admin-key)');
  return key;
}

function apiBase(): string {
  if (process.env.TOLLGATE_URL) return process.env.TOLLGATE_URL.replace(/\/+$/, '');
  const host = !process.env.HOST || process.env.HOST === '0.0.0.0' || process.env.HOST === '::' ? '127.0.0.1' : process.env.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT || '3000'}`;
}

function keep(file: string, text: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function where(base: string, adminKeyFile: string, links: { customer: string; url: string }[]): void {
  log(`demo: API docs          ${base}/docs`);
  log(
    `demo: admin key         ${relative(process.cwd(), adminKeyFile) || adminKeyFile} (the demo organisation's; the operator's is in .data/admin-key unless TOLLGATE_ADMIN_KEY is set)`,
  );
  for (const l of links) log(`demo: portal ${l.customer.padEnd(10)} ${l.url}`);
  log('demo: remove it with    npm run demo:remove');
}

function report(base: string, result: DemoResult, adminKeyFile: string): void {
  log(`demo: organisation "${result.organizationName}" (${result.organizationId}): ${result.calls} instrumented calls metered`);
  for (const i of result.invoices) log(`demo: invoice ${i.number ?? '(draft)'} for ${i.customer}: ${i.total} USD, ${i.status}`);
  if (process.env.STRIPE_SECRET_KEY) log('demo: the worker pushes the finalized invoices to Stripe (STRIPE_SECRET_KEY is set)');
  where(base, adminKeyFile, result.portalLinks);
}

async function onStart(): Promise<void> {
  if (process.env.TOLLGATE_DEMO === '0') return;
  const base = apiBase();
  const operator = new DemoApi(base, operatorKey());
  await operator.ready(120_000);
  if (existsSync(STATE)) {
    const state = JSON.parse(readFileSync(STATE, 'utf8')) as DemoState;
    // `npm run demo:remove` removed it (and its key): not seeded again.
    if (!existsSync(state.adminKeyFile)) return;
    const admin = operator.withKey(readFileSync(state.adminKeyFile, 'utf8').trim());
    // Still this database's demo (a reset database forgets it): fresh links.
    if ((await admin.call('GET', '/v1/organization', undefined, [200, 401])).status === 200) {
      where(base, state.adminKeyFile, await portalLinks(admin));
      return;
    }
  }
  // Only a new installation gets the demo: an operator's database with customers is left alone.
  const customers = await operator.call<{ data: unknown[] }>('GET', '/v1/customers?limit=1');
  if (customers.body.data.length > 0) return;
  const result = await seedDemo(operator, 'demo', log);
  const adminKeyFile = join(dataDir, 'demo-admin-key');
  keep(adminKeyFile, `${result.adminKey}\n`);
  keep(
    STATE,
    JSON.stringify({ organizationId: result.organizationId, name: result.organizationName, adminKeyFile } satisfies DemoState, null, 2),
  );
  report(base, result, adminKeyFile);
}

async function fresh(): Promise<void> {
  const base = apiBase();
  const operator = new DemoApi(base, operatorKey());
  await operator.ready(10_000);
  const name = `demo-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const result = await seedDemo(operator, name, log);
  const adminKeyFile = join(dataDir, `${name}-admin-key`);
  keep(adminKeyFile, `${result.adminKey}\n`);
  report(base, result, adminKeyFile);
}

const mode = process.argv[2];
const run = mode === '--on-start' ? onStart : mode === '--fresh' ? fresh : null;
if (run === null) {
  console.error('usage: main.js --on-start | --fresh');
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
