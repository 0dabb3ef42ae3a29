import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Clock, PriceBatch, type TestClock } from '@tollgate/billing';
import { Decimal } from '@tollgate/money';
import { DatabaseProbe } from '@tollgate/testing';
import {
  startTestApi,
  type ErrorBody,
  type IngestBody,
  type InvoiceBody,
  type InvoicePreviewBody,
  type PortalTokenBody,
  type TestApi,
} from '@tollgate/testing/api-harness';
import { axeViolations, launchChromium, pdfText } from '@tollgate/testing/browser-harness';
import { formatMoney } from '../src/pages';

// The customer portal (docs/api.md "Customer portal") in headless Chromium against the real api: links, pages,
// totals equal to the API's, the PDF's text, nothing of the operator's costs, 404 for what is not the customer's,
// expired and revoked links refused, and an automated accessibility check of every page.

let api: TestApi;
let probe: DatabaseProbe;
let clock: TestClock;
let browser: Browser;
let seq = 0;

const plan = (code: string, detail: 'per_charge' | 'summary') => ({
  code,
  name: `Plan ${code}`,
  currency: 'USD',
  base_fee: '10.00',
  customer_line_detail: detail,
  charges: [
    { name: 'premium', models: ['o3*'], mode: 'price', markup: '0.6', margin_floor: '0.3' },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.25' },
  ],
});

const event = (customer: string, model: string, timestamp: string) => ({
  transaction_id: `portal-${seq++}`,
  external_customer_id: customer,
  provider: 'openai',
  model,
  timestamp,
  usage: { input_tokens: 200_000 + seq * 1000, output_tokens: 30_000 },
});

async function send(events: object[]) {
  const sent = await api.request<IngestBody>('POST', '/v1/events', { events }, api.ingestKey);
  expect(sent.body.results.filter((r: { status: string }) => r.status !== 'accepted')).toEqual([]);
  for (const { id } of await probe.rows<{ id: string }>('SELECT id::text FROM ingest_batches WHERE priced_at IS NULL'))
    await api.app.get(PriceBatch).execute({ batchId: id });
}

async function link(customer: string, body?: object): Promise<PortalTokenBody> {
  const res = await api.request<PortalTokenBody>('POST', `/v1/customers/${customer}/portal_tokens`, body);
  expect(res.status).toBe(201);
  return res.body;
}

/** A fresh browser session opened on the customer's link. */
async function openPortal(customer: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto((await link(customer)).url);
  expect(res?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/portal');
  return { context, page };
}

const invoices: Record<string, InvoiceBody> = {};

beforeAll(async () => {
  api = await startTestApi({ TOLLGATE_TEST_NOW: '2026-09-25T00:00:00Z', EVENT_BACKFILL_DAYS: '365' });
  probe = new DatabaseProbe(api.databaseUrl);
  clock = api.app.get(Clock) as TestClock;
  browser = await launchChromium();
  for (const p of [plan('detailed', 'per_charge'), plan('clean', 'summary')])
    expect((await api.request('POST', '/v1/plans', p)).status).toBe(201);
  for (const [id, code] of [
    ['alice', 'detailed'],
    ['bob', 'clean'],
    ['carol', 'detailed'],
  ])
    expect((await api.request('POST', '/v1/customers', { external_id: id, plan_code: code, name: `${id} & co <ltd>` })).status).toBe(201);
  // September: a few days of both charges, then the period closed (finalized at once: no grace period).
  const september = ['alice', 'bob', 'carol'].flatMap((c) =>
    ['05', '09', '14', '20'].flatMap((d) => [event(c, 'o3', `2026-09-${d}T10:00:00Z`), event(c, 'gpt-4o', `2026-09-${d}T11:00:00Z`)]),
  );
  await send(september);
  for (const c of ['alice', 'bob', 'carol']) {
    const closed = await api.request<InvoiceBody>('POST', `/v1/customers/${c}/invoices/close`);
    expect(closed.body.status).toBe('finalized');
    invoices[c] = closed.body;
  }
  // October so far.
  clock.set('2026-10-04T12:00:00Z');
  await send(['alice', 'bob'].flatMap((c) => [event(c, 'o3', '2026-10-02T09:00:00Z'), event(c, 'gpt-4o', '2026-10-03T09:00:00Z')]));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await probe?.close();
  await api?.close();
});

describe('portal links', () => {
  it('are made for a customer, with an expiry, and refused for bad input or an unknown customer', async () => {
    const made = await link('alice', { expires_in: 3600 });
    expect(made.url).toMatch(new RegExp(`^${api.baseUrl}/portal/login\\?token=tg_portal_[0-9a-f]{12}_`));
    const expires = Date.parse(made.expires_at) - Date.now();
    expect(expires).toBeGreaterThan(3500_000);
    expect(expires).toBeLessThanOrEqual(3600_000);
    for (const body of [{ expires_in: 10 }, { expires_in: '3600' }, { expires_in: 91 * 86_400 }, { other: 1 }]) {
      const bad = await api.request<ErrorBody>('POST', '/v1/customers/alice/portal_tokens', body);
      expect(bad.status).toBe(400);
    }
    expect((await api.request('POST', '/v1/customers/nobody/portal_tokens')).status).toBe(404);
    // A portal key is no API key for anything else.
    const token = new URL(made.url).searchParams.get('token')!;
    expect((await api.request('GET', `/v1/invoices/${invoices.alice.id}`, undefined, token)).status).toBe(403);
    // Listed with the organisation's keys, revoked like them, never rotated.
    const keys = await api.request<{ data: { id: string; scope: string; expires_at: string | null }[] }>('GET', '/v1/api_keys?limit=100');
    expect(keys.body.data.find((k) => k.id === made.id)).toMatchObject({ scope: 'portal', expires_at: made.expires_at });
    const rotated = await api.request<ErrorBody>('POST', `/v1/api_keys/${made.id}/rotate`);
    expect([rotated.status, rotated.body.error.code]).toEqual([409, 'portal_key']);
  });
});

describe('the portal in a browser', () => {
  it('lists the invoices with totals equal to the API, and shows one with its lines, per charge', async () => {
    const { context, page } = await openPortal('alice');
    const row = page.locator('tbody tr', { hasText: invoices.alice.number! });
    await expect(row.locator('td.num').textContent()).resolves.toBe(formatMoney(invoices.alice.total, 'USD'));
    await row.getByRole('link', { name: invoices.alice.number!, exact: true }).click();
    expect(new URL(page.url()).pathname).toBe(`/portal/invoices/${invoices.alice.id}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Invoice ${invoices.alice.number}`);
    const descriptions = await page.locator('tbody td:first-child').allTextContents();
    expect(descriptions).toEqual(['Usage: premium', 'Usage: standard', 'Base fee: Plan detailed']);
    await expect(page.locator('[data-total]').textContent()).resolves.toBe(formatMoney(invoices.alice.total, 'USD'));
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows one usage line on a "summary" plan, with the same total', async () => {
    const { context, page } = await openPortal('bob');
    await page.goto(`${api.baseUrl}/portal/invoices/${invoices.bob.id}`);
    const amounts = await page.locator('tbody td.num').allTextContents();
    expect(await page.locator('tbody td:first-child').allTextContents()).toEqual(['Usage', 'Base fee: Plan clean']);
    const usage = invoices.bob.lines.filter((l) => l.type === 'usage').reduce((s, l) => s.plus(l.amount), new Decimal(0));
    expect(amounts[0]).toBe(formatMoney(usage.toFixed(2), 'USD'));
    await expect(page.locator('[data-total]').textContent()).resolves.toBe(formatMoney(invoices.bob.total, 'USD'));
    await context.close();
  });

  it('shows the current period: the chart with its table, usage by model, totals and balances equal to the API', async () => {
    expect((await api.request('POST', '/v1/customers/alice/credits', { amount: '25.00', kind: 'granted' })).status).toBe(201);
    const { context, page } = await openPortal('alice');
    await page.getByRole('link', { name: 'Current period' }).click();
    const preview = await api.request<InvoicePreviewBody>('GET', '/v1/customers/alice/invoices/preview');
    const credits = await api.request<{ balance: string; ongoing_balance: string }>('GET', '/v1/customers/alice/credits');
    await expect(page.locator('[data-period-total]').textContent()).resolves.toBe(formatMoney(preview.body.total, 'USD'));
    await expect(page.locator('[data-prepaid]').textContent()).resolves.toBe(formatMoney(credits.body.balance, 'USD'));
    await expect(page.locator('[data-ongoing]').textContent()).resolves.toBe(formatMoney(credits.body.ongoing_balance, 'USD'));
    expect(credits.body.balance).toBe('25.00');
    await expect(page.locator('[data-total]').textContent()).resolves.toBe(formatMoney(preview.body.total, 'USD'));
    const chart = page.getByRole('img', { name: /Usage charges per day/ });
    await expect(chart.count()).resolves.toBe(1);
    // Since the last invoice (September closed early, on the 25th) up to today, 4 October.
    const days = await page.locator('#daily-usage tbody th').allTextContents();
    expect(days).toEqual(
      ['25', '26', '27', '28', '29', '30'].map((d) => `2026-09-${d}`).concat(['01', '02', '03', '04'].map((d) => `2026-10-${d}`)),
    );
    expect(await page.locator('#daily-usage rect').count()).toBe(10);
    const spend = await page.locator('#daily-usage tbody td').allTextContents();
    expect(spend.filter((v) => v !== '$0.00')).toHaveLength(2); // the 2nd and 3rd of October
    const models = await page.locator('table', { hasText: 'Usage by model' }).locator('tbody th').allTextContents();
    expect(models.sort()).toEqual(['gpt-4o', 'o3']);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('downloads the invoice as a PDF holding its number, lines and total', async () => {
    const { context, page } = await openPortal('alice');
    await page.goto(`${api.baseUrl}/portal/invoices/${invoices.alice.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /as a PDF/ }).click()]);
    expect(download.suggestedFilename()).toBe(`${invoices.alice.number}.pdf`);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream()) as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = await pdfText(Buffer.concat(chunks));
    expect(text).toContain(`Invoice ${invoices.alice.number}`);
    expect(text).toContain('Usage: premium');
    expect(text).toMatch(new RegExp(`Total\\s+${formatMoney(invoices.alice.total, 'USD').replace(/[$.]/g, '\\$&')}`));
    // The summary plan's PDF has its one usage line.
    const bob = await openPortal('bob');
    const pdf = await bob.page.request.get(`${api.baseUrl}/portal/invoices/${invoices.bob.id}/pdf`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const bobText = await pdfText(await pdf.body());
    expect(bobText).not.toContain('Usage: premium');
    expect(bobText).toMatch(/^\s*Usage\s+\$/m);
    await bob.context.close();
    await context.close();
  });

  it('never shows provider cost, markup, margin or floors', async () => {
    const admin = await api.request<InvoiceBody>('GET', `/v1/invoices/${invoices.alice.id}`);
    const costs = admin.body.lines.flatMap((l) => (l.provider_cost ? [l.provider_cost, formatMoney(l.provider_cost, 'USD')] : []));
    expect(costs.length).toBeGreaterThan(0);
    const { context, page } = await openPortal('alice');
    for (const path of ['/portal', `/portal/invoices/${invoices.alice.id}`, '/portal/usage']) {
      await page.goto(api.baseUrl + path);
      // The body: the stylesheet's CSS has its own "margin"s.
      const html = await page.locator('body').innerHTML();
      expect(html).not.toMatch(/provider|markup|margin|floor|cost/i);
      for (const c of costs) expect(html).not.toContain(c);
    }
    const pdf = await pdfText(await (await page.request.get(`${api.baseUrl}/portal/invoices/${invoices.alice.id}/pdf`)).body());
    expect(pdf).not.toMatch(/provider|markup|margin|floor|cost/i);
    await context.close();
  });

  it("answers 404 for another customer's invoice, its PDF, and an id that names nothing", async () => {
    const { context, page } = await openPortal('alice');
    for (const path of [`/portal/invoices/${invoices.carol.id}`, `/portal/invoices/${invoices.carol.id}/pdf`, '/portal/invoices/nope']) {
      const res = await page.goto(api.baseUrl + path).catch(() => null);
      expect(res?.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('Not found');
    }
    expect(await page.content()).not.toContain(invoices.carol.total);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('refuses an expired link, a revoked one, and a visit without a link', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${api.baseUrl}/portal`))?.status()).toBe(401);

    const expiring = await link('alice', { expires_in: 60 });
    await probe.rows(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1::uuid`, [expiring.id]);
    const expired = await page.goto(expiring.url);
    expect(expired?.status()).toBe(401);
    await expect(page.locator('main p').textContent()).resolves.toMatch(/expired/);
    expect(await axeViolations(page)).toEqual([]);

    const revoked = await link('alice');
    expect((await page.goto(revoked.url))?.status()).toBe(200);
    expect((await api.request('DELETE', `/v1/api_keys/${revoked.id}`)).status).toBe(200);
    expect((await page.goto(`${api.baseUrl}/portal`))?.status()).toBe(401);
    await context.close();
  });
});
