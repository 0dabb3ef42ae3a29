import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal } from '@tollgate/money';
import { createTestDatabase, DatabaseProbe, fetchJson, freePort, TEST_REDIS_URL, type TestDatabase } from '@tollgate/testing';

// `npm start` as a newcomer runs it, on a new database: the api and worker come up, the demo organisation is
// seeded once through the API (traffic through @tollgate/sdk), its customers have invoices and working portal
// links; the README's Tour runs as written against it; `npm run demo:remove` takes the demo away.

const ROOT = path.resolve(__dirname, '../../..');
let db: TestDatabase;
let dataDir: string;
let start: ChildProcess;
let output = '';
let base: string;

function env(): NodeJS.ProcessEnv {
  const { TOLLGATE_ADMIN_KEY: _key, TOLLGATE_SECRET: _secret, TOLLGATE_DEMO: _demo, ...rest } = process.env;
  return {
    ...rest,
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    PORT: new URL(base).port,
    HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    RATE_SOURCES: 'none',
    LOG_LEVEL: 'warn',
    BILLING_INTERVAL_SECONDS: '3600',
    QUEUE_PREFIX: `{tollgate-npm-start-${process.pid}}`,
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_URL: base,
  };
}

function run(command: string, args: string[], cwd = ROOT): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const match = output.match(pattern);
    if (match) return match;
    if (start.exitCode !== null || Date.now() > until) throw new Error(`npm start did not print ${pattern}:\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Opens a portal link as a browser would (the token into a cookie, then the invoices): the page's HTML. */
async function openPortal(url: string): Promise<{ status: number; html: string }> {
  const login = await fetch(url, { redirect: 'manual' });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const page = await fetch(new URL(login.headers.get('location')!, url), { headers: { cookie } });
  return { status: page.status, html: await page.text() };
}

/** The JSON objects curl printed one after another (without newlines between them). */
function jsonObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let from = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = depth > 0;
    else if (c === '{') {
      if (depth++ === 0) from = i;
    } else if (c === '}' && depth > 0 && --depth === 0) out.push(JSON.parse(text.slice(from, i + 1)) as Record<string, unknown>);
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'tollgate-start-'));
  base = `http://127.0.0.1:${await freePort()}`;
  start = spawn('npm', ['start'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  start.stdout!.on('data', (d) => (output += d));
  start.stderr!.on('data', (d) => (output += d));
  await waitForOutput(/demo: remove it with/, 600_000);
}, 660_000);

afterAll(async () => {
  if (start?.pid !== undefined && start.exitCode === null) {
    const closed = new Promise((r) => start.once('close', r));
    process.kill(-start.pid, 'SIGTERM');
    await closed;
  }
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('npm start on a new database', () => {
  it('seeds the demo organisation: three customers with finalized invoices, and a working portal link for each', async () => {
    const adminKeyFile = output.match(/demo: admin key\s+(\S+)/)![1];
    const adminKey = (await readFile(path.resolve(ROOT, adminKeyFile), 'utf8')).trim();
    expect(adminKeyFile).toContain(path.basename(dataDir));
    expect(output).toContain(`demo: API docs          ${base}/docs`);
    const auth = { headers: { authorization: `Bearer ${adminKey}` } };
    const customers = await fetchJson<{ data: { external_id: string }[] }>(`${base}/v1/customers`, auth);
    expect(customers.body.data.map((c) => c.external_id).sort()).toEqual(['globex', 'initech', 'northwind']);
    const invoices = await fetchJson<{
      data: {
        external_customer_id: string;
        type: string;
        status: string;
        number: string;
        credits_applied: string;
        lines: { type: string; floor_applied?: boolean }[];
      }[];
    }>(`${base}/v1/invoices`, auth);
    expect(invoices.body.data.map((i) => [i.external_customer_id, i.type, i.status]).sort()).toEqual([
      ['globex', 'usage', 'finalized'],
      ['initech', 'usage', 'finalized'],
      ['northwind', 'credit_purchase', 'paid'],
      ['northwind', 'usage', 'finalized'],
    ]);
    // The stories: northwind's usage taken from its prepaid credit, the floor binding for initech.
    const northwind = invoices.body.data.find((i) => i.external_customer_id === 'northwind' && i.type === 'usage')!;
    expect(new Decimal(northwind.credits_applied).gt(0)).toBe(true);
    // The stories: usage from the SDK's events, the floor binding for initech.
    const initech = invoices.body.data.find((i) => i.external_customer_id === 'initech')!;
    expect(initech.lines.some((l) => l.type === 'usage' && l.floor_applied === true)).toBe(true);
    const links = [...output.matchAll(/demo: portal (\w+)\s+(\S+)/g)];
    expect(links.map((l) => l[1])).toEqual(['northwind', 'globex', 'initech']);
    for (const [, customer, url] of links) {
      const page = await openPortal(url);
      expect(page.status).toBe(200);
      const own = invoices.body.data.find((i) => i.external_customer_id === customer && i.type === 'usage')!;
      expect(page.html).toContain(own.number);
    }
    // The operator's own organisation is left alone.
    const operatorKey = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
    const own = await fetchJson<{ data: unknown[] }>(`${base}/v1/customers`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(own.body.data).toEqual([]);
  });

  it("runs the README's Tour as written", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const tour = readme.slice(readme.indexOf('\n## Tour\n'), readme.indexOf('\n## ', readme.indexOf('\n## Tour\n') + 1));
    const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    // From a folder whose .data is this instance's (the README runs from the repository's folder).
    const cwd = path.dirname(dataDir);
    const script = `set -euo pipefail\ncd ${JSON.stringify(cwd)}\nln -sfn ${JSON.stringify(dataDir)} .data\n${blocks.join('\n')}`;
    const res = await run('timeout', ['120', 'bash', '-c', script], cwd);
    await rm(path.join(cwd, '.data'), { force: true });
    expect([res.code, res.out.slice(-2000)]).toEqual([0, expect.any(String)]);
    const answers = jsonObjects(res.out);
    const preview = answers.find((a) => a.status === 'preview') as { total: string; lines: { type: string }[] };
    expect(preview.lines.map((l) => l.type)).toEqual(['usage', 'base_fee']);
    const url = (answers[answers.length - 1] as { url: string }).url;
    const page = await openPortal(url);
    expect(page.status).toBe(200);
  });

  it('`npm run demo` seeds another organisation on demand, with its own key and links', async () => {
    const fresh = await run('node', [path.join(ROOT, 'dist/tools/demo/main.js'), '--fresh']);
    expect(fresh.code).toBe(0);
    const organisation = fresh.out.match(/demo: organisation "(demo-\d{14})"/);
    expect(organisation).not.toBeNull();
    const keyFile = path.join(dataDir, `${organisation![1]}-admin-key`);
    const key = (await readFile(keyFile, 'utf8')).trim();
    const invoices = await fetchJson<{ data: { type: string; status: string }[] }>(`${base}/v1/invoices?limit=100`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(invoices.body.data.filter((i) => i.type === 'usage').map((i) => i.status)).toEqual(['finalized', 'finalized', 'finalized']);
    const url = fresh.out.match(/demo: portal globex\s+(\S+)/)![1];
    expect((await openPortal(url)).status).toBe(200);
  });

  it('does not seed the demo twice, and `npm run demo:remove` removes it with its data', async () => {
    const state = JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8')) as { organizationId: string; adminKeyFile: string };
    const adminKey = (await readFile(state.adminKeyFile, 'utf8')).trim();
    const probe = new DatabaseProbe(db.url);
    const left = async () => {
      const tables = await probe.rows<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organization_id'`,
      );
      let rows = 0;
      for (const { table_name } of tables)
        rows += (
          await probe.rows<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}" WHERE organization_id = $1::uuid`, [
            state.organizationId,
          ])
        )[0].n;
      return rows;
    };
    expect(await left()).toBeGreaterThan(0);
    const removed = await run('node', [path.join(ROOT, 'dist/tools/demo/remove.js')]);
    expect(removed).toEqual({ code: 0, out: expect.stringContaining(`removed organisation ${state.organizationId}`) });
    // Nothing of it is left in any table (a table added later must be added to removeWithData).
    expect(await left()).toBe(0);
    expect(await probe.rows('SELECT id FROM organizations WHERE id = $1::uuid', [state.organizationId])).toEqual([]);
    await probe.close();
    const gone = await fetch(`${base}/v1/customers`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect([401, 200]).toContain(gone.status);
    if (gone.status === 200) expect(((await gone.json()) as { data: unknown[] }).data).toEqual([]);
    const onStart = await run('node', [path.join(ROOT, 'dist/tools/demo/main.js'), '--on-start']);
    expect(onStart).toEqual({ code: 0, out: '' });
  });
});
