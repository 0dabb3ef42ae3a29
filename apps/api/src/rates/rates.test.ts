import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { errorOf } from '@tollgate/testing';
import {
  startTestApi,
  type AliasBody,
  type CreatedOrganizationBody,
  type OverrideBody,
  type RateCardBody,
  type RateSyncBody,
  type TestApi,
} from '@tollgate/testing/api-harness';

const openrouterBody = readFileSync(join(__dirname, '../../../../libs/rates/fixtures/openrouter-models-2026-08-01.json'), 'utf8');
let reply: () => { status: number; body: string } = () => ({ status: 200, body: openrouterBody });
let server: Server;
let api: TestApi;

function serveWithPrompt(prompt: string): void {
  const body = JSON.parse(openrouterBody) as { data: { id: string; pricing: { prompt: string } }[] };
  body.data.find((m) => m.id === 'openai/gpt-4o')!.pricing.prompt = prompt;
  const text = JSON.stringify(body);
  reply = () => ({ status: 200, body: text });
}

const gpt4o = () => api.request<RateCardBody>('GET', '/v1/rates?provider=openrouter&model=openai/gpt-4o');
const current = (body: RateCardBody) => body.versions.find((v) => v.id === body.current_version_id)!;
const sync = () => api.request<RateSyncBody>('POST', '/v1/rates/sync');
const addOverride = (body: unknown) => api.request<OverrideBody>('POST', '/v1/rates/overrides', body);

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = req.url === '/api/v1/models' ? reply() : { status: 404, body: '{}' };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = await startTestApi({
    RATE_SOURCES: 'openrouter',
    OPENROUTER_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    RATE_SYNC_TIMEOUT_SECONDS: '2',
  });
});

afterAll(async () => {
  await api?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('/v1/rates', () => {
  it('shows the bundled snapshot on a fresh database, per million tokens, exactly', async () => {
    const res = await gpt4o();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ provider: 'openrouter', model: 'openai/gpt-4o' });
    // LiteLLM lists OpenRouter's ids too: the history shows every source; OpenRouter's prices OpenRouter's ids.
    expect(res.body.versions.map((v) => v.source)).toEqual(['openrouter', 'litellm']);
    // OpenRouter lists "0.0000025" and "0.00001" per token.
    expect(current(res.body)).toMatchObject({
      prices: { input_tokens: '2.5', output_tokens: '10', cache_read_tokens: '1.25' },
      tiers: [],
      source: 'openrouter',
      effective_from: '1970-01-01T00:00:00.000Z',
      fetched_at: '2026-08-01T00:00:00.000Z',
    });
  });

  it('resolves the model like an event: provider prefix, provider taken from the name, unknown is 404', async () => {
    const prefixed = await api.request<RateCardBody>('GET', '/v1/rates?provider=azure&model=openai/gpt-4o');
    expect(prefixed.body).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    const noProvider = await api.request<RateCardBody>('GET', '/v1/rates?model=anthropic/claude-sonnet-4-5-20250929');
    expect(noProvider.status).toBe(200);
    expect(noProvider.body.provider).toBe('anthropic');
    const unknown = await api.request('GET', '/v1/rates?provider=openai&model=no-such-model');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(errorOf((await api.request('GET', '/v1/rates')).body).code).toBe('invalid_request');
  });

  it('syncs now: a price change is a new version; the old one stays in the history', async () => {
    serveWithPrompt('0.000002');
    const synced = await sync();
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({
      outcome: 'applied',
      status: 'applied',
      error: null,
      sources: { openrouter: { changed: 1, versions_written: 1 } },
    });
    expect(synced.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const res = await gpt4o();
    const history = res.body.versions.map((v) => `${v.source} ${v.prices.input_tokens}`);
    expect(history).toEqual(['openrouter 2', 'openrouter 2.5', 'litellm 2.5']);
    expect(res.body.current_version_id).toBe(res.body.versions[0].id);
    expect((await api.request<RateSyncBody>('GET', `/v1/rates/syncs/${synced.body.id}`)).body.status).toBe('applied');
  });

  it('records a failed fetch and keeps the last good version', async () => {
    reply = () => ({ status: 500, body: '{}' });
    const failed = await sync();
    expect(failed.body).toMatchObject({ outcome: 'failed', status: 'failed', error: expect.stringContaining('HTTP 500') });
    expect(current((await gpt4o()).body).prices.input_tokens).toBe('2');
  });

  it('holds a tenfold jump; approving applies it once', async () => {
    serveWithPrompt('0.00002000001');
    const held = await sync();
    expect(held.body).toMatchObject({
      outcome: 'held',
      status: 'held',
      sources: { openrouter: { price_moves: [{ model: 'openai/gpt-4o', price: 'input_tokens', before: '2', after: '20.00001' }] } },
    });
    expect(current((await gpt4o()).body).prices.input_tokens).toBe('2');

    const approved = await api.request('POST', `/v1/rates/syncs/${held.body.id}/approve`);
    expect(approved.body).toMatchObject({ id: held.body.id, outcome: 'held', status: 'approved' });
    expect(current((await gpt4o()).body).prices.input_tokens).toBe('20.00001');
    expect(errorOf((await api.request('POST', `/v1/rates/syncs/${held.body.id}/approve`)).body).code).toBe('sync_not_held');
    expect((await api.request('POST', '/v1/rates/syncs/00000000-0000-4000-8000-000000000000/approve')).status).toBe(404);
  });

  it('takes overrides per million tokens; they win from effective_from', async () => {
    const bad = await addOverride({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      prices: { input_tokens: 1.25, tokens: '1' },
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body).details?.map((d) => d.field)).toEqual(['prices.input_tokens', 'prices.output_tokens', 'prices.tokens']);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = await addOverride({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      prices: { input_tokens: '1.25', output_tokens: '5', requests: '0.001' },
      tiers: [{ min_prompt_tokens: 128001, prices: { input_tokens: '2.5' } }],
      effective_from: future,
    });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({
      source: 'override',
      prices: { input_tokens: '1.25', output_tokens: '5', requests: '0.001' },
      tiers: [{ min_prompt_tokens: 128001, prices: { input_tokens: '2.5' } }],
      effective_from: future,
    });
    let res = await gpt4o();
    expect(res.body.versions[0].id).toBe(later.body.id);
    expect(current(res.body).prices.input_tokens).toBe('20.00001');

    const now = await addOverride({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      prices: { input_tokens: '1.5', output_tokens: '6' },
      effective_from: Date.now() - 1000,
    });
    res = await gpt4o();
    expect(res.body.current_version_id).toBe(now.body.id);
    const replay = await api.request('POST', '/v1/rates/overrides', {
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      prices: { input_tokens: '9', output_tokens: '9' },
      effective_from: future,
    });
    expect(replay).toMatchObject({ status: 409, body: { error: { code: 'override_exists' } } });
  });

  it('prices a model known only through an override, for that organisation only', async () => {
    const created = await addOverride({
      provider: 'Acme',
      model: 'house-model',
      prices: { input_tokens: '0.1', output_tokens: '0.2' },
    });
    expect(created.body).toMatchObject({ provider: 'acme', model: 'house-model' });
    expect((await api.request<RateCardBody>('GET', '/v1/rates?provider=acme&model=house-model')).body.current_version_id).toBe(
      created.body.id,
    );

    const org = await api.request<CreatedOrganizationBody>('POST', '/v1/organizations', { name: 'other' });
    const other = <T = unknown>(method: string, path: string, body?: unknown) => api.request<T>(method, path, body, org.body.admin_key);
    expect((await other('GET', '/v1/rates?provider=acme&model=house-model')).status).toBe(404);
    expect(current((await other<RateCardBody>('GET', '/v1/rates?provider=openrouter&model=openai/gpt-4o')).body).prices.input_tokens).toBe(
      '20.00001',
    );
    expect(await other('POST', '/v1/rates/sync')).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await api.request('GET', '/v1/rates?model=gpt-4o', undefined, api.ingestKey)).status).toBe(403);
  });

  it('maps an alias onto the card its target resolves to', async () => {
    const put = await api.request('PUT', '/v1/rates/aliases/Our-Chat', { provider: 'openai', model: 'openai/gpt-4o' });
    expect(put).toMatchObject({ status: 200, body: { alias: 'our-chat', provider: 'openai', model: 'gpt-4o' } });
    expect((await api.request('GET', '/v1/rates?provider=whatever&model=our-chat')).body).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
    });
    const moved = await api.request<AliasBody>('PUT', '/v1/rates/aliases/our-chat', { provider: 'acme', model: 'house-model' });
    expect(moved.body).toMatchObject({ provider: 'acme', model: 'house-model' });
    expect((await api.request<RateCardBody>('GET', '/v1/rates?provider=openai&model=our-chat')).body.model).toBe('house-model');
    const bad = await api.request('PUT', '/v1/rates/aliases/x', { provider: 'openai', model: 'no-such-model' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });
});
