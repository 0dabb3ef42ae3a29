import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exact, providerCost, emptyUsage } from '@tollgate/pricing';
import { RateCache } from '../cache/rate-cache';
import { LIST_SOURCE_REGISTRY } from '../sources/registry';
import type { RateCard, RateVersion } from '../rate-card';
import { runSourceSync } from './run-sync';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const openrouterBody = readFileSync(join(FIXTURES, 'openrouter-models-2026-08-01.json'), 'utf8');
const litellmBody = readFileSync(join(FIXTURES, 'litellm-model-prices-2026-08-01.json'), 'utf8');

/** What the fake source answers next: a status and a body, or a hang (for the timeout). */
type Reply = { status: number; body: string } | 'hang';
let reply: (path: string) => Reply;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = reply(req.url ?? '/');
    if (answer === 'hang') return; // never answers: the client's timeout must fire
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const { openrouter: openRouterSource, litellm: liteLlmSource, bedrock: bedrockSource } = LIST_SOURCE_REGISTRY;
// A generous deadline for answers (parsing the full listing takes a while on a loaded machine); a short one only
// where the test waits for the timeout itself.
const openrouter = () => openRouterSource.fetch({ openRouterBaseUrl: base }, { timeoutMs: 10_000 });
const openrouterQuickTimeout = () => openRouterSource.fetch({ openRouterBaseUrl: base }, { timeoutMs: 300 });
const serveOpenRouter = (body: string, status = 200) => {
  reply = (path) => (path === '/api/v1/models' ? { status, body } : { status: 404, body: '{}' });
};

describe('syncing live sources over HTTP', () => {
  let lastGood: RateCard[];

  beforeAll(async () => {
    serveOpenRouter(openrouterBody);
    const first = await runSourceSync(openrouter, []);
    if (first.outcome !== 'applied') throw new Error(`first sync: ${first.outcome}`);
    lastGood = first.cards;
  });

  it('applies a first sync and finds the same response unchanged', async () => {
    expect(lastGood).toHaveLength(331);
    expect((await runSourceSync(openrouter, lastGood)).outcome).toBe('unchanged');
  });

  it.each([
    ['a 500', () => serveOpenRouter('{"error":"boom"}', 500), 'HTTP 500'],
    ['a timeout', () => (reply = () => 'hang'), 'timed out'],
    ['truncated JSON', () => serveOpenRouter(openrouterBody.slice(0, 100_000)), 'not JSON'],
    ['an empty list', () => serveOpenRouter('{"data":[]}'), 'no priced models'],
    ['a wrong shape', () => serveOpenRouter('{"models":[]}'), 'no data array'],
  ])('fails on %s and keeps the last good cards', async (_name, serve, message) => {
    serve();
    const result = await runSourceSync(message === 'timed out' ? openrouterQuickTimeout : openrouter, lastGood);
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && result.error).toContain(message);
  });

  it('holds a tenfold price jump', async () => {
    const jumped = JSON.parse(openrouterBody);
    const gpt4o = jumped.data.find((m: { id: string }) => m.id === 'openai/gpt-4o');
    gpt4o.pricing.prompt = '0.000025000001'; // 0.0000025 -> 10.0000004×
    serveOpenRouter(JSON.stringify(jumped));
    const result = await runSourceSync(openrouter, lastGood);
    expect(result.outcome).toBe('held');
    expect(result.outcome === 'held' && result.priceMoves).toEqual([
      { provider: 'openrouter', model: 'openai/gpt-4o', price: 'input_tokens', before: '0.0000025', after: '0.000025000001' },
    ]);
  });

  it('holds a sync that drops more than 20% of the models', async () => {
    const shrunk = JSON.parse(openrouterBody);
    shrunk.data = shrunk.data.slice(0, 250);
    serveOpenRouter(JSON.stringify(shrunk));
    expect((await runSourceSync(openrouter, lastGood)).outcome).toBe('held');
  });

  it('a price change makes a new version; an event stamped before it still prices with the old one', async () => {
    const changed = JSON.parse(openrouterBody);
    changed.data.find((m: { id: string }) => m.id === 'openai/gpt-4o').pricing.prompt = '0.000002';
    serveOpenRouter(JSON.stringify(changed));
    const result = await runSourceSync(openrouter, lastGood);
    expect(result.outcome).toBe('applied');
    if (result.outcome !== 'applied') return;
    expect(result.diff.changed.map((c) => c.after.model)).toEqual(['openai/gpt-4o']);

    const cache = new RateCache();
    const asVersion = (card: RateCard, id: string, from: string): RateVersion => ({
      ...card,
      id,
      effectiveFrom: new Date(from),
      fetchedAt: new Date(from),
    });
    const old = lastGood.find((c) => c.model === 'openai/gpt-4o')!;
    cache.upsert(asVersion(old, 'v1', '2026-08-01T00:00:00Z'));
    cache.upsert(asVersion(result.diff.changed[0]!.after, 'v2', '2026-08-02T12:00:00Z'));
    const usage = { ...emptyUsage(), input_tokens: 1_000_000n };
    const before = cache.lookup('openrouter', 'openai/gpt-4o', Date.parse('2026-08-02T11:59:59Z'))!;
    const after = cache.lookup('openrouter', 'openai/gpt-4o', Date.parse('2026-08-02T12:00:00Z'))!;
    expect(providerCost(usage, before).total.eq(exact('2.5'))).toBe(true);
    expect(providerCost(usage, after).total.eq(exact('2'))).toBe(true);
  });

  it('fetches LiteLLM’s JSON URL', async () => {
    reply = (path) => (path === '/prices.json' ? { status: 200, body: litellmBody } : { status: 404, body: '' });
    const parsed = await liteLlmSource.fetch({ liteLlmUrl: `${base}/prices.json` }, { timeoutMs: 5000 });
    expect(parsed.cards).toHaveLength(2251);
    reply = () => ({ status: 200, body: litellmBody.slice(0, 5000) });
    expect((await runSourceSync(() => liteLlmSource.fetch({ liteLlmUrl: `${base}/prices.json` }, {}), parsed.cards)).outcome).toBe(
      'failed',
    );
  });

  it('walks the AWS bulk files: region index, then each configured region', async () => {
    const requested: string[] = [];
    reply = (path) => {
      requested.push(path);
      try {
        return { status: 200, body: readFileSync(join(FIXTURES, 'aws-bedrock', path), 'utf8') };
      } catch {
        return { status: 404, body: '' };
      }
    };
    const parsed = await bedrockSource.fetch({ awsPricingBaseUrl: base, bedrockRegions: ['us-east-1', 'eu-central-1', 'sa-east-1'] }, {});
    expect(parsed.cards.map((c) => c.model).sort()).toEqual([
      'eu-central-1/amazon.nova-pro-v1:0',
      'eu-central-1/anthropic.claude-sonnet-4-5-20250929-v1:0',
      'global/anthropic.claude-haiku-4-5-20251001-v1:0',
      'global/anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us-east-1/amazon.nova-micro-v1:0',
      'us-east-1/amazon.nova-pro-v1:0',
      'us-east-1/anthropic.claude-haiku-4-5-20251001-v1:0',
      'us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us-east-1/meta.llama3-3-70b-instruct-v1:0',
    ]);
    expect(requested[0]).toBe('/offers/v1.0/aws/AmazonBedrockFoundationModels/current/region_index.json');
    expect(requested).toHaveLength(6);
  });
});
