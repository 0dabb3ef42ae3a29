import OpenAI from 'openai';
import { startRig, type Rig } from '../../test/harness';
import { wrapOpenAI } from './openai';

describe('wrapOpenAI with the real openai SDK', () => {
  let rig: Rig;
  let openai: OpenAI;

  beforeEach(async () => {
    rig = await startRig({ customer: 'acme' });
    openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }), rig.tollgate);
  });

  afterEach(() => rig.close());

  const messages = [{ role: 'user' as const, content: 'Summarise this ticket' }];
  // The fake's default usage: 1200 prompt (1024 cached), 340 completion (128 reasoning).
  const chatUsage = { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 212, reasoning_tokens: 128 };

  it('meters a chat completion, keeping the APIPromise helpers', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0].message.content).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      external_customer_id: 'acme',
      status: 'success',
      usage: chatUsage,
    });
  });

  it('meters a stream, asking for usage without showing the agent the extra chunk', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toContain('metered and billed');
    expect((rig.llm.requests[0].body.stream_options as { include_usage: boolean }).include_usage).toBe(true);
    const [event] = await rig.events();
    expect(event).toMatchObject({ model: 'gpt-4o-mini', status: 'success', usage: chatUsage });
  });

  it('keeps the usage chunk when the agent asked for it', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usageSeen = false;
    for await (const chunk of stream) usageSeen ||= chunk.usage != null;
    expect(usageSeen).toBe(true);
    expect((await rig.events())[0].usage).toEqual(chatUsage);
  });

  it("meters the SDK's stream helper, which is built on create", async () => {
    const runner = openai.chat.completions.stream({ model: 'gpt-4o-mini', messages });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0].message.content).toContain('fake');
    const events = await rig.events();
    expect(events).toHaveLength(1);
    expect(events[0].usage).toEqual(chatUsage);
  });

  it('meters the Responses API, plain and streamed', async () => {
    const response = await openai.responses.create({ model: 'o4-mini', input: 'Plan the migration' });
    expect(response.output_text).toContain('fake');
    const stream = await openai.responses.create({ model: 'o4-mini', input: 'Plan the migration', stream: true });
    for await (const event of stream) void event;
    const events = await rig.events();
    // 900 input (512 cached), 300 output (64 reasoning).
    const usage = { input_tokens: 388, cache_read_tokens: 512, output_tokens: 236, reasoning_tokens: 64 };
    expect(events.map((e) => e.usage)).toEqual([usage, usage]);
  });

  it('reports a failed call with status error, and its repeat as retry_of it', async () => {
    rig.llm.failNext({ status: 500 });
    await rig.tollgate.task('triage', { customer: 'globex' }, async () => {
      await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toThrow();
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    });
    const [failed, retried, again] = await rig.events();
    expect(failed).toMatchObject({
      status: 'error',
      external_customer_id: 'globex',
      usage: { requests: 0 },
      metadata: { error: '500 InternalServerError', task_name: 'triage' },
    });
    expect(retried).toMatchObject({ status: 'success', retry_of: failed.transaction_id, task_id: failed.task_id, usage: chatUsage });
    expect(again.retry_of).toBeUndefined();
  });

  it('an abandoned stream is reported as an error with what was known', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) {
      void chunk;
      break;
    }
    const [event] = await rig.events();
    expect(event).toMatchObject({ status: 'error', metadata: { error: 'stream_abandoned' } });
  });

  it('flags usage it cannot read, or that never came, as usage_unknown: never zero usage', async () => {
    rig.llm.setUsage('openai', { total_tokens: 1540 }).setUsage('openaiResponses', { tokens: 1200 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) void chunk;
    await openai.responses.create({ model: 'o4-mini', input: 'Plan the migration' });
    const unasked = wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }), rig.tollgate, {
      requestStreamUsage: false,
    });
    for await (const chunk of await unasked.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) void chunk;
    const events = await rig.events();
    expect(events.map((e) => [e.status, e.usage, (e.metadata as Record<string, string>).usage_unknown])).toEqual([
      ['usage_unknown', {}, 'unreadable'],
      ['usage_unknown', {}, 'unreadable'],
      ['usage_unknown', {}, 'unreadable'],
      ['usage_unknown', {}, 'absent'],
    ]);
    expect(rig.tollgate.stats().usageUnknown).toBe(4);
  });

  it('OpenRouter: carries its reported cost and cache writes', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-fake', baseURL: rig.llm.openrouterBaseUrl, maxRetries: 0 });
    // Detected from an openrouter.ai baseURL; the fake runs on localhost, so named here.
    const router = wrapOpenAI(client, rig.tollgate, { provider: 'openrouter' });
    await router.chat.completions.create({ model: 'anthropic/claude-sonnet-4.5', messages });
    const stream = await router.chat.completions.create({ model: 'anthropic/claude-sonnet-4.5', messages, stream: true });
    for await (const chunk of stream) void chunk;
    const usage = { input_tokens: 200, cache_read_tokens: 1500, cache_write_tokens: 300, output_tokens: 150 };
    const events = await rig.events();
    expect(events).toEqual([
      expect.objectContaining({ provider: 'openrouter', model: 'anthropic/claude-sonnet-4.5', cost: '0.0013845', usage }),
      expect.objectContaining({ provider: 'openrouter', cost: '0.0013845', usage }),
    ]);
  });

  it('the budget guard refuses the call before it reaches the model', async () => {
    await rig.close();
    rig = await startRig({ customer: 'broke', budgetGuard: true });
    rig.ingest.entitlements.set('broke', { allowed: false, reason: 'spend_cap_reached' });
    openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }), rig.tollgate);
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({
      name: 'BudgetExceededError',
      reason: 'spend_cap_reached',
    });
    await expect(openai.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({ name: 'BudgetExceededError' });
    expect(rig.llm.requests).toHaveLength(0);
    expect(rig.ingest.entitlementRequests).toEqual(['broke']);
    rig.ingest.entitlements.set('fine', { allowed: true });
    await rig.tollgate.task('t', { customer: 'fine' }, async () => {
      const { data } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
      expect(data.id).toMatch(/^chatcmpl-/);
    });
    expect(await rig.events()).toHaveLength(1);
  });
});
