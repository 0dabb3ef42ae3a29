import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  AddRateOverride,
  Clock,
  CreateCustomer,
  CreatePlan,
  IngestEvents,
  PriceBatch,
  RunBillingCycle,
  type TestClock,
} from '@tollgate/billing';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { startTestApi, type TestApi } from '@tollgate/testing/api-harness';
import { startTestBilling, type TestBilling } from '@tollgate/testing/billing-harness';

// The operator dashboard in headless Chromium (Debian's), JavaScript off: log in with the admin key, read the
// margin page, run a stress test from its form and read the result; the session cookie's attributes, CSRF and
// origin checks, logout and a revoked key; axe-core finds no accessibility violation on any page.
// Data: one customer on "flat" (markup 30%) with 4 calls of gold-mini (2M in, 500k out at $0.50 / $1.50 per
// million: $1.75 each) three days ago, its period billed by the billing cycle: cost $7.00, billed $9.10.

let api: TestApi;
let billing: TestBilling;
let browser: Browser;
let organizationId: string;
const DAY = 86_400_000;
const at = Date.now() - 3 * DAY;
const periodStart = new Date(Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), 1));
const periodEnd = new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1));
const day = (d: Date) => d.toISOString().slice(0, 10);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  api = await startTestApi({ RATE_SOURCES: 'none' });
  billing = await startTestBilling({
    DATABASE_URL: api.databaseUrl,
    QUEUE_PREFIX: api.config.queuePrefix,
    TOLLGATE_TEST_NOW: periodStart.toISOString(),
  });
  [{ id: organizationId }] = await billing.probe.rows<{ id: string }>('SELECT id::text FROM organizations WHERE is_default');
  await billing.get(AddRateOverride).execute({
    organizationId,
    provider: 'test',
    model: 'gold-mini',
    prices: { input_tokens: '0.0000005', output_tokens: '0.0000015' },
    tiers: [],
    effectiveFrom: new Date('2020-01-01T00:00:00Z'),
  });
  await billing.get(CreatePlan).execute({
    organizationId,
    plan: { code: 'flat', name: 'Flat', currency: 'USD', charges: [{ name: 'all', models: ['*'], markup: '0.3' }] },
  });
  await billing.get(CreateCustomer).execute({ organizationId, externalId: 'acme', fields: { plan_code: 'flat' } });
  await billing.get(IngestEvents).execute({
    organizationId,
    events: Array.from({ length: 4 }, (_, i) => ({
      transactionId: `dash-${i}`,
      externalCustomerId: 'acme',
      occurredAt: at + i,
      timestampProvided: true,
      provider: 'test',
      model: 'gold-mini',
      usage: USAGE_DIMENSIONS.map((d) => (d === 'input_tokens' ? 2_000_000 : d === 'output_tokens' ? 500_000 : d === 'requests' ? 1 : 0)),
      cost: null,
      taskId: null,
      traceId: null,
      sessionId: null,
      feature: null,
      status: 'success',
      retryOf: null,
      metadata: null,
      contentHash: randomBytes(32),
    })),
  });
  for (const { id } of await billing.probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL'))
    await billing.get(PriceBatch).execute({ batchId: id });
  (billing.get(Clock) as TestClock).set(new Date(periodEnd.getTime() + 1000).toISOString());
  await billing.get(RunBillingCycle).execute();
  const [{ n }] = await billing.probe.rows<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE status = 'finalized'`);
  expect(n).toBe(1);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await billing?.close();
  await api?.close();
});

async function logIn(page: Page, key = api.adminKey) {
  await page.goto(`${api.baseUrl}/dashboard`);
  expect(new URL(page.url()).pathname).toBe('/dashboard/login');
  await page.fill('#key', key);
  await page.click('button[type=submit]');
}

/** axe-core's violations on the page as it is (injected past the pages' CSP, in a context that allows it). */
async function violations(url: string, cookie: string): Promise<unknown[]> {
  const context = await browser.newContext({ bypassCSP: true });
  try {
    await context.addCookies([{ name: 'tollgate_dashboard', value: cookie, url: api.baseUrl }]);
    const page = await context.newPage();
    await page.goto(url);
    await page.addScriptTag({ content: AXE });
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { html: string }[] }[] }> } }).axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.html) }));
    });
    return result;
  } finally {
    await context.close();
  }
}

describe('operator dashboard', () => {
  it('logs in with the admin key, shows the margin, runs a stress test from its form and shows the result, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    await logIn(page, 'tg_admin_not-a-key');
    expect(await page.textContent('[role=alert]')).toContain('not a working API key');

    await page.fill('#key', api.adminKey);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.textContent('h1')).toBe('Margin');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'tollgate_dashboard', httpOnly: true, sameSite: 'Strict', path: '/dashboard', secure: false });
    expect(cookie.value).not.toContain(api.adminKey);
    // The day of the usage: $7.00 of cost, and the $9.10 billed for it.
    const row = page.locator('table:has(caption:text("Margin per day")) tr', { hasText: day(new Date(at)) });
    expect(await row.textContent()).toMatch(/\$7\.00.*\$9\.10/);
    expect(await page.locator('#margin-over-time svg title').first().textContent()).toBe('Cost and revenue per day');
    // The cliff list, cost per task and cache savings (the analytics use cases): acme's margin (about 23%) is below the 30% target.
    expect(await page.textContent('#cliff')).toBe('Margin cliff');
    expect(await page.locator('table:has(caption:text("Customers below the target margin")) tbody tr').first().textContent()).toMatch(
      /^acme(current|last)23\.\d\d%.*floor 30\.00%/,
    );
    expect(await page.textContent('#tasks + p')).toBe('No tasks in this range.');
    expect(await page.textContent('#cache + dl')).toMatch(/Net\s*\$0\.00/);

    await page.click('nav >> text=Stress test');
    await page.fill('#from', day(periodStart));
    await page.fill('#to', day(periodEnd));
    await page.fill('#markup', '1');
    await page.fill('#multiplier_model', 'gold-mini');
    await page.fill('#multiplier_factor', '2');
    await page.click('button:text("Run the stress test")');
    expect(new URL(page.url()).pathname).toMatch(/^\/dashboard\/simulations\/[0-9a-f-]{36}$/);
    expect(await page.textContent('#status')).toBe('succeeded');
    // Doubled prices: cost $14.00; markup 100%: billed $28.00; then $9.10 billed on $7.00.
    const acme = await page.locator('#customers tbody tr', { hasText: 'acme' }).textContent();
    expect(acme).toMatch(/\$9\.10.*\$28\.00.*\$7\.00.*\$14\.00.*23\.08%.*50\.00%/);

    // A form the schema refuses is shown again with what is wrong.
    await page.click('text=Run another');
    await page.fill('#from', '2026-02-31');
    await page.click('button:text("Run the stress test")');
    expect(await page.textContent('[role=alert]')).toMatch(/from:/);

    await page.click('button:text("Log out")');
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.goto(`${api.baseUrl}/dashboard/simulations`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await context.close();
  });

  it('refuses forms without the session’s token or from another origin, and ends the session of a revoked key', async () => {
    const login = await fetch(`${api.baseUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: api.adminKey }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${api.baseUrl}/dashboard/simulations`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        body: new URLSearchParams(body),
        redirect: 'manual',
      });
    const form = { from: day(periodStart), to: day(periodEnd) };
    expect((await post(form)).status).toBe(403);
    const page = await fetch(`${api.baseUrl}/dashboard/simulations`, { headers: { cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1];
    expect((await post({ ...form, csrf }, { origin: 'https://evil.test' })).status).toBe(403);
    expect((await post({ ...form, csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ ...form, csrf })).status).toBe(303);

    // Another admin key's session, then the key revoked: its next page is the login.
    const other = await api.request<{ id: string; key: string }>('POST', '/v1/api_keys', { scope: 'admin', name: 'dashboard' });
    const second = await fetch(`${api.baseUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: other.body.key }),
      redirect: 'manual',
    });
    const secondCookie = second.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${api.baseUrl}/dashboard`, { headers: { cookie: secondCookie }, redirect: 'manual' })).status).toBe(200);
    expect((await api.request('DELETE', `/v1/api_keys/${other.body.id}`)).status).toBe(200);
    const after = await fetch(`${api.baseUrl}/dashboard`, { headers: { cookie: secondCookie }, redirect: 'manual' });
    expect([after.status, after.headers.get('location')]).toEqual([303, '/dashboard/login']);
  });

  it('has no accessibility violations axe-core can find', async () => {
    const login = await fetch(`${api.baseUrl}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: api.adminKey }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0].split('=')[1];
    const list = await api.request<{ data: { id: string }[] }>('GET', '/v1/analytics/simulations?limit=1');
    for (const path of ['/dashboard/login', '/dashboard', '/dashboard/simulations', `/dashboard/simulations/${list.body.data[0].id}`]) {
      expect([path, await violations(api.baseUrl + path, decodeURIComponent(cookie))]).toEqual([path, []]);
    }
  });
});
