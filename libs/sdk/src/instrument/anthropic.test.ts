import Anthropic from '@anthropic-ai/sdk';
import { startRig, type Rig } from '../../test/harness';
import { wrapAnthropic } from './anthropic';

describe('wrapAnthropic with the real @anthropic-ai/sdk', () => {
  let rig: Rig;
  let anthropic: Anthropic;

  beforeEach(async () => {
    rig = await startRig();
    anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-fake', baseURL: rig.llm.anthropicBaseUrl, maxRetries: 0 }), rig.tollgate);
  });

  afterEach(() => rig.close());

  const request = { model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Draft the reply' }] };
  // The fake's default usage: 25 fresh input, 3000 cache reads, writes 1000 (5m) + 500 (1h), 410 output.
  const usage = { input_tokens: 25, cache_read_tokens: 3000, cache_write_tokens: 1000, cache_write_1h_tokens: 500, output_tokens: 410 };

  it('meters a message with its cache writes split by TTL, attributed to the task', async () => {
    const message = await rig.tollgate.task('reply', { customer: 'initech', feature: 'inbox' }, () => anthropic.messages.create(request));
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const [event] = await rig.events();
    expect(event).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      external_customer_id: 'initech',
      feature: 'inbox',
      status: 'success',
      usage,
    });
    expect(event.task_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('meters a raw stream: message_delta usage replaces message_start usage', async () => {
    await rig.tollgate.task('reply', { customer: 'initech' }, async () => {
      const stream = await anthropic.messages.create({ ...request, stream: true });
      let text = '';
      for await (const event of stream)
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      expect(text).toContain('metered and billed');
    });
    expect((await rig.events())[0]).toMatchObject({ status: 'success', usage });
  });

  it('meters messages.stream(), the MessageStream helper', async () => {
    await rig.tollgate.task('reply', { customer: 'initech' }, async () => {
      const final = await anthropic.messages.stream(request).finalMessage();
      expect(final.usage.output_tokens).toBe(410);
    });
    const events = await rig.events();
    expect(events).toHaveLength(1);
    expect(events[0].usage).toEqual(usage);
  });

  it('flags usage it cannot read as usage_unknown, plain and streamed: never zero usage', async () => {
    rig.llm.setUsage('anthropic', { prompt_tokens: 25, completion_tokens: 410 });
    await rig.tollgate.task('reply', { customer: 'initech' }, async () => {
      await anthropic.messages.create(request);
      for await (const event of await anthropic.messages.create({ ...request, stream: true })) void event;
    });
    const events = await rig.events();
    expect(events.map((e) => [e.status, e.usage])).toEqual([
      ['usage_unknown', {}],
      ['usage_unknown', {}],
    ]);
  });

  it('reports an overloaded call as an error and its repeat as retry_of', async () => {
    rig.llm.failNext({ status: 529, message: 'Overloaded' });
    await rig.tollgate.task('reply', { customer: 'initech' }, async () => {
      await expect(anthropic.messages.create(request)).rejects.toMatchObject({ status: 529 });
      await anthropic.messages.create(request);
    });
    const [failed, retried] = await rig.events();
    expect(failed).toMatchObject({ status: 'error', usage: { requests: 0 } });
    expect(retried).toMatchObject({ status: 'success', retry_of: failed.transaction_id, usage });
  });
});
