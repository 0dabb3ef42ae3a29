import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { startRig, type Rig } from '../../test/harness';
import { normaliseAiUsage, tollgateMiddleware } from './vercel-ai';

describe('tollgateMiddleware with the real ai SDK and @ai-sdk/openai', () => {
  let rig: Rig;
  let provider: ReturnType<typeof createOpenAI>;

  beforeEach(async () => {
    rig = await startRig();
    provider = createOpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl });
  });

  afterEach(() => rig.close());

  const chatUsage = { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 212, reasoning_tokens: 128 };
  const responsesUsage = { input_tokens: 388, cache_read_tokens: 512, output_tokens: 236, reasoning_tokens: 64 };

  it('meters generateText on a chat model', async () => {
    const model = wrapLanguageModel({ model: provider.chat('gpt-4o-mini'), middleware: tollgateMiddleware(rig.tollgate) });
    const result = await rig.tollgate.task('answer', { customer: 'umbrella', feature: 'chat' }, () =>
      generateText({ model, prompt: 'What is Tollgate?', maxRetries: 0 }),
    );
    expect(result.text).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      external_customer_id: 'umbrella',
      feature: 'chat',
      usage: chatUsage,
    });
  });

  it('meters streamText on a Responses model', async () => {
    const model = wrapLanguageModel({ model: provider.responses('o4-mini'), middleware: tollgateMiddleware(rig.tollgate) });
    await rig.tollgate.task('answer', { customer: 'umbrella' }, async () => {
      const result = streamText({ model, prompt: 'What is Tollgate?', maxRetries: 0 });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      expect(text).toContain('metered and billed');
    });
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'openai', model: 'o4-mini', status: 'success', usage: responsesUsage });
  });

  it('meters streamText on a chat model (usage requested by the provider package)', async () => {
    const model = wrapLanguageModel({ model: provider.chat('gpt-4o-mini'), middleware: tollgateMiddleware(rig.tollgate) });
    await rig.tollgate.task('answer', { customer: 'umbrella' }, async () => {
      const result = streamText({ model, prompt: 'What is Tollgate?', maxRetries: 0 });
      await result.consumeStream();
    });
    expect((await rig.events())[0]).toMatchObject({ usage: chatUsage });
  });

  it('reports a failed generation as an error, and its repeat as retry_of', async () => {
    rig.llm.failNext({ status: 500 });
    const model = wrapLanguageModel({ model: provider.chat('gpt-4o-mini'), middleware: tollgateMiddleware(rig.tollgate) });
    await rig.tollgate.task('answer', { customer: 'umbrella' }, async () => {
      await expect(generateText({ model, prompt: 'Hi', maxRetries: 0 })).rejects.toThrow();
      await generateText({ model, prompt: 'Hi', maxRetries: 0 });
    });
    const [failed, retried] = await rig.events();
    expect(failed).toMatchObject({ status: 'error', model: 'gpt-4o-mini' });
    expect(retried).toMatchObject({ status: 'success', retry_of: failed.transaction_id });
  });

  it('falls back to the SDK usage summary when the raw provider usage is absent', () => {
    const usage = {
      inputTokens: { total: 100, noCache: 60, cacheRead: 30, cacheWrite: 10 },
      outputTokens: { total: 50, text: 45, reasoning: 5 },
    };
    expect(normaliseAiUsage(usage, 'mistral.chat')).toEqual({
      usage: { input_tokens: 60, cache_read_tokens: 30, cache_write_tokens: 10, output_tokens: 45, reasoning_tokens: 5 },
    });
  });
});
