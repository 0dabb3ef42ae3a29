// End to end: the real openai, @anthropic-ai/sdk and ai packages call the fake LLM server; the SDK
// delivers their usage to the real Tollgate API (Postgres behind it); the stored events are read back
// with the admin key and must carry exactly the right dimensions, customer and task.
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import OpenAI from 'openai';
import { createTestDatabase, defaultUsage, FakeLlm, TcpProxy } from '@tollgate/testing';
import { startTestApi, type EventListBody, type StoredEventBody, type TestApi } from '@tollgate/testing/api-harness';
import { Tollgate } from './client';
import { USAGE_DIMENSIONS, type Usage } from './dimensions';
import { wrapAnthropic } from './instrument/anthropic';
import { wrapGoogleGenAI } from './instrument/google-genai';
import { wrapOpenAI } from './instrument/openai';
import { tollgateMiddleware } from './instrument/vercel-ai';

/** A stored event lists every dimension; absent ones are 0 and `requests` defaults to 1. */
function stored(usage: Usage): Record<string, number> {
  return Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, usage[d] ?? (d === 'requests' ? 1 : 0)]));
}

/** The transaction id of the one event in a batch the SDK posts (as a JSON string). */
function sentTransactionId(body: unknown): string {
  if (typeof body !== 'string') return `not a JSON string: ${typeof body}`;
  return (JSON.parse(body) as { events: { transaction_id: string }[] }).events[0].transaction_id;
}

describe('SDK → real Tollgate API', () => {
  let api: TestApi;
  let llm: FakeLlm;
  let tollgate: Tollgate;

  beforeAll(async () => {
    [api, llm] = await Promise.all([startTestApi(), new FakeLlm().start()]);
  });

  afterAll(async () => {
    await tollgate?.shutdown({ timeoutMs: 1_000 });
    await Promise.all([api?.close(), llm?.close()]);
  });

  async function eventsOf(customer: string): Promise<StoredEventBody[]> {
    const res = await api.request<EventListBody>('GET', `/v1/events?external_customer_id=${encodeURIComponent(customer)}`);
    expect(res.status).toBe(200);
    return res.body.data;
  }

  it('stores every instrumented call with exact dimensions, customer and task', async () => {
    tollgate = new Tollgate({ apiKey: api.ingestKey, baseUrl: api.baseUrl, flushOnExit: false });
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: llm.openaiBaseUrl, maxRetries: 0 }), tollgate);
    const anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-fake', baseURL: llm.anthropicBaseUrl, maxRetries: 0 }), tollgate);
    const aiModel = wrapLanguageModel({
      model: createOpenAI({ apiKey: 'sk-fake', baseURL: llm.openaiBaseUrl }).chat('gpt-4o-mini'),
      middleware: tollgateMiddleware(tollgate),
    });
    const customer = `e2e-${Date.now()}`;
    const messages = [{ role: 'user' as const, content: 'Summarise the ticket' }];

    const taskIds: string[] = [];
    await tollgate.task('resolve-ticket', { customer, feature: 'support' }, async () => {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      for await (const chunk of stream) void chunk;
      await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 512, messages });
      await anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 512, messages }).finalMessage();
      await generateText({ model: aiModel, prompt: 'Summarise the ticket', maxRetries: 0 });
      await streamText({ model: aiModel, prompt: 'Summarise the ticket', maxRetries: 0 }).consumeStream();
    });
    llm.failNext({ status: 500 });
    await tollgate.task('resolve-ticket', { customer, feature: 'support' }, async () => {
      await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toThrow();
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    });
    await tollgate.flush();
    expect(tollgate.stats()).toMatchObject({ accepted: 8, rejected: 0, dropped: 0 });

    const events = await eventsOf(customer);
    expect(events).toHaveLength(8);
    for (const e of events) taskIds.push(e.task_id!);
    const [first, second] = [taskIds[0], taskIds[6]];
    expect(new Set(taskIds.slice(0, 6))).toEqual(new Set([first]));
    expect(new Set(taskIds.slice(6))).toEqual(new Set([second]));
    expect(first).not.toBe(second);

    const chat = stored({ input_tokens: 176, cache_read_tokens: 1024, output_tokens: 212, reasoning_tokens: 128 });
    const claude = stored({
      input_tokens: 25,
      cache_read_tokens: 3000,
      cache_write_tokens: 1000,
      cache_write_1h_tokens: 500,
      output_tokens: 410,
    });
    const expected = [
      ['openai', 'gpt-4o-mini', chat],
      ['openai', 'gpt-4o-mini', chat],
      ['anthropic', 'claude-haiku-4-5', claude],
      ['anthropic', 'claude-haiku-4-5', claude],
      ['openai', 'gpt-4o-mini', chat],
      ['openai', 'gpt-4o-mini', chat],
    ] as const;
    expected.forEach(([provider, model, usage], i) => {
      expect(events[i]).toMatchObject({
        external_customer_id: customer,
        provider,
        model,
        usage,
        feature: 'support',
        status: 'success',
        metadata: { task_name: 'resolve-ticket' },
      });
    });
    const [failed, retried] = events.slice(6);
    expect(failed).toMatchObject({ status: 'error', usage: stored({ requests: 0 }), metadata: { error: '500 InternalServerError' } });
    expect(retried).toMatchObject({ status: 'success', retry_of: failed.transaction_id, usage: chat });
  });

  it('a call whose usage cannot be read is stored as usage_unknown, never as a zero-token success', async () => {
    const warned: string[] = [];
    const client = new Tollgate({
      apiKey: api.ingestKey,
      baseUrl: api.baseUrl,
      flushOnExit: false,
      onWarning: (w) => warned.push(w.transactionId),
    });
    const ai = wrapGoogleGenAI(new GoogleGenAI({ apiKey: 'fake', httpOptions: { baseUrl: llm.url, fetch } }), client);
    llm.setUsage('gemini', { totalTokenCount: 1640 });
    const customer = `e2e-unknown-${Date.now()}`;
    try {
      await client.task('summarise', { customer }, () => ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    } finally {
      llm.setUsage('gemini', defaultUsage.gemini);
    }
    await client.shutdown();
    expect(client.stats()).toMatchObject({ accepted: 1, usageUnknown: 1 });
    const [event] = await eventsOf(customer);
    expect(event).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-flash',
      status: 'usage_unknown',
      usage: stored({}),
      metadata: { usage_unknown: 'unreadable' },
    });
    expect(warned).toEqual([event.transaction_id]);
  });

  it('the API answering 503 twice (Postgres cut) then 200: the event is stored once, under one transaction id', async () => {
    // The API's own 503: its Postgres sits behind a proxy the test cuts, and restores after the second 503.
    const db = await createTestDatabase();
    const proxy = new TcpProxy('127.0.0.1', 5432);
    const url = new URL(db.url);
    url.host = `127.0.0.1:${await proxy.start()}`;
    const down = await startTestApi({ DATABASE_URL: url.toString() });
    try {
      await proxy.cut();
      const attempts: Array<{ id: string; status: number }> = [];
      let refused = 0;
      const observed: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        attempts.push({ id: sentTransactionId(init?.body), status: response.status });
        if (response.status === 503 && ++refused === 2) await proxy.restore();
        return response;
      };
      const client = new Tollgate({ apiKey: down.ingestKey, baseUrl: down.baseUrl, fetch: observed, flushOnExit: false, retryBaseMs: 5 });
      const customer = `e2e-503-${Date.now()}`;
      const id = client.track({ customer, provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10, output_tokens: 3 } });
      await client.shutdown({ timeoutMs: 20_000 });
      expect(attempts).toEqual([
        { id, status: 503 },
        { id, status: 503 },
        { id, status: 200 },
      ]);
      expect(client.stats()).toMatchObject({ accepted: 1, retries: 2, dropped: 0 });
      const stored = await down.request<EventListBody>('GET', `/v1/events?external_customer_id=${customer}`);
      expect(stored.body.data.map((e) => e.transaction_id)).toEqual([id]);

      // The same event delivered again is a duplicate, never a second event.
      const statuses: string[] = [];
      const replay = new Tollgate({
        apiKey: down.ingestKey,
        baseUrl: down.baseUrl,
        flushOnExit: false,
        onDelivered: (r) => statuses.push(...r.map((x) => x.status)),
      });
      const timestamp = Date.parse(stored.body.data[0].timestamp);
      replay.track({
        customer,
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { input_tokens: 10, output_tokens: 3 },
        transactionId: id,
        timestamp,
      });
      await replay.shutdown();
      expect(statuses).toEqual(['duplicate']);
      expect((await down.request<EventListBody>('GET', `/v1/events?external_customer_id=${customer}`)).body.data).toHaveLength(1);
    } finally {
      await down.close();
      await proxy.close();
      await db.drop();
    }
  }, 30_000);
});
