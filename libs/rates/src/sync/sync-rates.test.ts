import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { createPool, RatesRepository } from '@tollgate/db';
import { createTestDatabase, type TestDatabase } from '@tollgate/testing';
import { emptyUsage, exact, providerCost } from '@tollgate/pricing';
import { RateBook } from '../rate-book';
import { cardToRow } from '../store/version-rows';
import { SyncRates } from './sync-rates';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const openrouterBody = readFileSync(join(FIXTURES, 'openrouter-models-2026-08-01.json'), 'utf8');

type Reply = { status: number; body: string } | 'hang';
let reply: () => Reply = () => ({ status: 200, body: openrouterBody });
let server: Server;
let db: TestDatabase;
let pool: Pool;
let repo: RatesRepository;
let book: RateBook;
let sync: SyncRates;
const ORG = randomUUID();
const OTHER_ORG = randomUUID();

function serve(mutate?: (models: { id: string; pricing: Record<string, string> }[]) => unknown[] | void): void {
  const body = JSON.parse(openrouterBody);
  if (mutate) body.data = mutate(body.data) ?? body.data;
  const text = JSON.stringify(body);
  reply = () => ({ status: 200, body: text });
}

const gpt4o = (at: number) => book.lookup(ORG, 'openrouter', 'openai/gpt-4o', at);
const inputPrice = (at: number) => {
  const found = gpt4o(at);
  return found.ok ? found.version.prices.input_tokens!.toFixed() : found.reason;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = req.url === '/api/v1/models' ? reply() : { status: 404, body: '{}' };
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
  repo = new RatesRepository(pool);
  book = new RateBook(repo, { pollMs: 0 });
  sync = new SyncRates(repo, book, {
    sources: ['openrouter'],
    openRouterBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    timeoutMs: 500,
  });
  await book.start();
});

afterAll(async () => {
  book.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
  await db.drop();
});

describe('rate versions in Postgres', () => {
  it('seeds the bundled snapshot on an empty database, once, so a fresh install prices offline', async () => {
    const counts = await pool.query(
      `SELECT source, count(*)::int AS n FROM rate_card_versions WHERE scope = 'list' GROUP BY source ORDER BY source`,
    );
    expect(counts.rows).toEqual([
      { source: 'bedrock', n: 9 },
      { source: 'litellm', n: 2251 },
      { source: 'openrouter', n: 331 },
    ]);
    const second = new RateBook(repo, { pollMs: 0 });
    await second.start();
    expect((await pool.query('SELECT count(*)::int AS n FROM rate_card_versions')).rows[0].n).toBe(2591);

    const found = second.lookup(ORG, 'bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', Date.parse('2026-11-22T00:00:00Z'));
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const cost = providerCost({ ...emptyUsage(), input_tokens: 1_000_000n, output_tokens: 100_000n }, found.version);
    expect(cost.total.toFixed()).toBe('4.95');
    expect(found.version.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('finds an unchanged listing unchanged and writes nothing', async () => {
    serve();
    const result = await sync.run();
    expect(result).toMatchObject({ status: 'unchanged', source: 'openrouter', error: null, held_cards: null });
    expect(result.summary.openrouter).toMatchObject({ outcome: 'unchanged', unchanged: 331, added: 0, changed: 0, removed: 0 });
  });

  it('writes a new version when a price changes; an event stamped before it keeps the old price', async () => {
    const before = Date.now() - 1;
    serve((models) => void (models.find((m) => m.id === 'openai/gpt-4o')!.pricing.prompt = '0.000002'));
    const result = await sync.run();
    expect(result.status).toBe('applied');
    expect(result.summary.openrouter).toMatchObject({ outcome: 'applied', changed: 1, versions_written: 1, removal_markers: 0 });
    const versions = await pool.query(
      `SELECT sync_id FROM rate_card_versions WHERE source = 'openrouter' AND model = 'openai/gpt-4o' ORDER BY effective_from`,
    );
    expect(versions.rows.map((r) => r.sync_id)).toEqual([null, result.id]);
    // The sync refreshed this process's book.
    expect(inputPrice(before)).toBe('0.0000025');
    expect(inputPrice(Date.now())).toBe('0.000002');
    expect(inputPrice(Date.parse('2025-01-01T00:00:00Z'))).toBe('0.0000025');
  });

  it.each([
    ['a 500', () => (reply = () => ({ status: 500, body: '{"error":"boom"}' })), 'HTTP 500'],
    ['a timeout', () => (reply = () => 'hang'), 'timed out'],
    ['truncated JSON', () => (reply = () => ({ status: 200, body: openrouterBody.slice(0, 50_000) })), 'not JSON'],
    ['an empty list', () => (reply = () => ({ status: 200, body: '{"data":[]}' })), 'no priced models'],
  ])('records %s as a failed sync and keeps the last good version', async (_name, arrange, message) => {
    arrange();
    const generation = book.generation;
    const result = await sync.run();
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`openrouter: `);
    expect(result.error).toContain(message);
    expect(book.generation).toBe(generation);
    expect(inputPrice(Date.now())).toBe('0.000002');
  });

  it('holds a tenfold jump until an admin approves it, then applies it once', async () => {
    serve((models) => void (models.find((m) => m.id === 'openai/gpt-4o')!.pricing.prompt = '0.00002000001'));
    const held = await sync.run();
    expect(held.status).toBe('held');
    expect(held.summary.openrouter).toMatchObject({
      outcome: 'held',
      price_moves: [{ provider: 'openrouter', model: 'openai/gpt-4o', price: 'input_tokens', before: '0.000002', after: '0.00002000001' }],
    });
    expect(held.held_cards!.openrouter).toHaveLength(331);
    expect(inputPrice(Date.now())).toBe('0.000002');

    const approved = await sync.approve(held.id);
    expect(approved).toMatchObject({ ok: true, sync: { status: 'approved', summary: { openrouter: { versions_written: 1 } } } });
    expect(inputPrice(Date.now())).toBe('0.00002000001');
    expect(await sync.approve(held.id)).toMatchObject({ ok: false, reason: 'not_held' });
    expect(await sync.approve(randomUUID())).toEqual({ ok: false, reason: 'not_found' });
    expect(await sync.approve('not-a-uuid')).toEqual({ ok: false, reason: 'not_found' });
  });

  it('holds a sync that drops more than 20% of the models; approving it writes removal markers', async () => {
    serve((models) => models.filter((m) => m.id !== 'openai/gpt-4o').slice(0, 200));
    const held = await sync.run();
    expect(held.status).toBe('held');
    const removed = (held.summary.openrouter as { removed: number }).removed;
    expect(removed).toBeGreaterThan(331 * 0.2);
    const approved = await sync.approve(held.id);
    expect(approved).toMatchObject({ ok: true, sync: { summary: { openrouter: { removal_markers: removed } } } });
    // Removed from OpenRouter now; the price in force before the removal still prices older events.
    const now = gpt4o(Date.now());
    expect(now.ok && now.version.source).not.toBe('openrouter');
    expect(inputPrice(Date.parse('2025-01-01T00:00:00Z'))).toBe('0.0000025');

    // Listed again: a new version, not a resurrection of the old one.
    serve();
    const back = await sync.run();
    expect(back.status).toBe('applied');
    expect(back.summary.openrouter).toMatchObject({ added: removed, versions_written: removed });
    expect(inputPrice(Date.now())).toBe('0.0000025');
  });

  it('lets an override win from its effective_from, for its organisation only', async () => {
    const from = new Date(Date.now() + 60_000);
    const override = cardToRow({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      source: 'override',
      prices: { input_tokens: exact('0.000001'), output_tokens: exact('0.000004') },
      tiers: [],
    });
    const first = await repo.addOverride(ORG, override, from);
    expect(first.created).toBe(true);
    expect((await repo.addOverride(ORG, override, from)).created).toBe(false);
    await book.refresh();
    expect(inputPrice(from.getTime() - 1)).toBe('0.0000025');
    expect(inputPrice(from.getTime())).toBe('0.000001');
    expect(gpt4o(from.getTime()).ok && (gpt4o(from.getTime()) as { version: { id: string } }).version.id).toBe(first.row.id);
    const other = book.lookup(OTHER_ORG, 'openrouter', 'openai/gpt-4o', from.getTime());
    expect(other.ok && other.version.prices.input_tokens!.toFixed()).toBe('0.0000025');
  });

  it('prices a model known only through an override, and resolves an alias to it', async () => {
    const card = cardToRow({
      provider: 'acme',
      model: 'house-model',
      source: 'override',
      prices: { input_tokens: exact('0.0000001'), output_tokens: exact('0.0000002') },
      tiers: [],
    });
    await repo.addOverride(ORG, card, new Date(0));
    await repo.upsertAlias({ organization_id: ORG, alias: 'our-llm', provider: 'acme', model: 'house-model' });
    const generation = book.generation;
    await book.refresh();
    expect(book.generation).toBeGreaterThan(generation);
    expect(book.lookup(ORG, 'acme', 'house-model', Date.now())).toMatchObject({ ok: true, version: { source: 'override' } });
    expect(book.lookup(ORG, 'whatever', 'OUR-LLM', Date.now())).toMatchObject({ ok: true, version: { model: 'house-model' } });
    expect(book.lookup(OTHER_ORG, 'acme', 'house-model', Date.now())).toEqual({
      ok: false,
      reason: 'no rate card for provider "acme" model "house-model"',
    });
  });

  it('learns of another process’s writes by polling, and tells its listeners', async () => {
    const polling = new RateBook(repo, { pollMs: 20 });
    await polling.start();
    const changed = new Promise<void>((resolve) => polling.onChange(resolve));
    await repo.upsertAlias({ organization_id: OTHER_ORG, alias: 'cheap', provider: 'openrouter', model: 'openai/gpt-4o-mini' });
    await changed;
    polling.stop();
    expect(polling.lookup(OTHER_ORG, 'openai', 'cheap', Date.now())).toMatchObject({ ok: true, version: { model: 'openai/gpt-4o-mini' } });
  });
});
