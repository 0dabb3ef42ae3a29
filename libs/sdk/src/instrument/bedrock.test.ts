import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startRig, type Rig } from '../../test/harness';
import { wrapBedrock } from './bedrock';

describe('wrapBedrock with the real @aws-sdk/client-bedrock-runtime', () => {
  let rig: Rig;
  let bedrock: BedrockRuntimeClient;

  beforeEach(async () => {
    rig = await startRig({ customer: 'hooli' });
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: rig.llm.bedrockEndpoint,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
      // The runtime client speaks HTTP/2 by default; the fake serves HTTP/1.1 (the handler for its non-streaming peers).
      requestHandler: new NodeHttpHandler(),
    });
    bedrock = wrapBedrock(client, rig.tollgate);
  });

  afterEach(async () => {
    bedrock.destroy();
    await rig.close();
  });

  const modelId = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
  const input = { modelId, messages: [{ role: 'user' as const, content: [{ text: 'Classify this email' }] }] };
  // The fake's default usage: 40 input, 220 output, 2048 cache reads, 300 cache writes (all 1h).
  const usage = { input_tokens: 40, cache_read_tokens: 2048, cache_write_1h_tokens: 300, output_tokens: 220 };

  it('meters Converse', async () => {
    const output = await bedrock.send(new ConverseCommand(input));
    expect(output.output?.message?.content?.[0].text).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'bedrock', model: modelId, external_customer_id: 'hooli', status: 'success', usage });
  });

  it('meters ConverseStream (AWS event-stream framing) from its metadata event', async () => {
    const output = await bedrock.send(new ConverseStreamCommand(input));
    let text = '';
    for await (const event of output.stream!) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toContain('metered and billed');
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'bedrock', model: modelId, status: 'success', usage });
  });

  it('flags usage it cannot read as usage_unknown, Converse and ConverseStream: never zero usage', async () => {
    rig.llm.setUsage('bedrock', { input_tokens: 40, output_tokens: 220 });
    await bedrock.send(new ConverseCommand(input));
    const output = await bedrock.send(new ConverseStreamCommand(input));
    for await (const event of output.stream!) void event;
    const events = await rig.events();
    expect(events.map((e) => [e.status, e.usage])).toEqual([
      ['usage_unknown', {}],
      ['usage_unknown', {}],
    ]);
  });

  it('reports a throttled call as an error', async () => {
    rig.llm.failNext({ status: 429, message: 'Too many requests' });
    await expect(bedrock.send(new ConverseCommand(input))).rejects.toMatchObject({ name: 'ThrottlingException' });
    const [event] = await rig.events();
    expect(event).toMatchObject({ status: 'error', usage: { requests: 0 }, metadata: { error: '429 ThrottlingException' } });
  });

  describe('InvokeModel and InvokeModelWithResponseStream', () => {
    // The fake's counts: 40 input, 220 output, 2048 cache reads, 300 cache writes (200 of them 1h, which only
    // Anthropic's body tells); each family's body renders them in its own shape.
    const models = {
      anthropic: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      nova: 'us.amazon.nova-pro-v1:0',
      openai: 'openai.gpt-oss-120b-1:0',
      native: 'mistral.mistral-7b-instruct-v0:2',
    };
    const bodies: Record<keyof typeof models, object> = {
      anthropic: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 512, messages: [{ role: 'user', content: 'Classify this email' }] },
      nova: { messages: [{ role: 'user', content: [{ text: 'Classify this email' }] }], inferenceConfig: { maxTokens: 512 } },
      openai: { messages: [{ role: 'user', content: 'Classify this email' }], max_completion_tokens: 512 },
      native: { prompt: '<s>[INST] Classify this email [/INST]', max_tokens: 512 },
    };
    const expected = {
      // The body's usage, with the TTL split only it carries.
      anthropic: { input_tokens: 40, cache_read_tokens: 2048, cache_write_tokens: 100, cache_write_1h_tokens: 200, output_tokens: 220 },
      nova: { input_tokens: 40, cache_read_tokens: 2048, cache_write_tokens: 300, output_tokens: 220 },
      // prompt_tokens 2088 including 2048 cached: OpenAI-compatible bodies report no cache writes.
      openai: { input_tokens: 40, cache_read_tokens: 2048, output_tokens: 220 },
      // No usage in the body: Bedrock's x-amzn-bedrock-*-token-count headers.
      native: { input_tokens: 40, cache_read_tokens: 2048, cache_write_tokens: 300, output_tokens: 220 },
    };
    const families = Object.keys(models) as Array<keyof typeof models>;
    const invoke = (family: keyof typeof models, body: object = bodies[family]) =>
      new InvokeModelCommand({
        modelId: models[family],
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify(body),
      });
    const invokeStream = (family: keyof typeof models, body: object = bodies[family]) =>
      new InvokeModelWithResponseStreamCommand({ modelId: models[family], contentType: 'application/json', body: JSON.stringify(body) });

    it('meters InvokeModel for each body family, falling back to the token-count headers', async () => {
      for (const family of families) {
        const output = await bedrock.send(invoke(family));
        expect(output.body.transformToString()).toContain('fake');
      }
      const events = await rig.events();
      expect(events.map((e) => [e.model, e.status, e.usage])).toEqual(families.map((f) => [models[f], 'success', expected[f]]));
    });

    it('meters InvokeModelWithResponseStream for each family, falling back to the invocation metrics', async () => {
      for (const family of families) {
        const output = await bedrock.send(invokeStream(family));
        let chunks = 0;
        for await (const event of output.body!) if (event.chunk?.bytes) chunks++;
        expect(chunks).toBeGreaterThan(1);
      }
      const events = await rig.events();
      // gpt-oss streamed without stream_options.include_usage has no usage chunk: the invocation metrics count it.
      const streamed = { ...expected, openai: { input_tokens: 40, cache_read_tokens: 2048, cache_write_tokens: 300, output_tokens: 220 } };
      expect(events.map((e) => [e.model, e.status, e.usage])).toEqual(families.map((f) => [models[f], 'success', streamed[f]]));
    });

    it("reads an OpenAI-compatible stream's own usage chunk when it asked for one", async () => {
      const output = await bedrock.send(invokeStream('openai', { ...bodies.openai, stream_options: { include_usage: true } }));
      for await (const event of output.body!) void event;
      expect((await rig.events())[0].usage).toEqual(expected.openai);
    });

    it('flags a body and stream whose usage it cannot read, and no Bedrock counts, as usage_unknown', async () => {
      rig.llm.setUsage('bedrockInvoke', {
        input: 40,
        output: 220,
        cacheRead: 0,
        cacheWrite: 0,
        cacheWrite1h: 0,
        bodyUsage: { tokens: 260 },
        tokenCounts: false,
      });
      for (const family of families) await bedrock.send(invoke(family));
      for (const family of families) {
        const output = await bedrock.send(invokeStream(family));
        for await (const event of output.body!) void event;
      }
      const events = await rig.events();
      expect(events).toHaveLength(8);
      for (const event of events) expect(event).toMatchObject({ status: 'usage_unknown', usage: {} });
    });

    it('an unreadable body still counts from the headers', async () => {
      rig.llm.setUsage('bedrockInvoke', { input: 12, output: 30, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, bodyUsage: { tokens: 42 } });
      await bedrock.send(invoke('anthropic'));
      expect((await rig.events())[0]).toMatchObject({ status: 'success', usage: { input_tokens: 12, output_tokens: 30 } });
    });

    it('reports a throttled invocation as an error', async () => {
      rig.llm.failNext({ status: 429, message: 'Too many requests' });
      await expect(bedrock.send(invoke('nova'))).rejects.toMatchObject({ name: 'ThrottlingException' });
      expect((await rig.events())[0]).toMatchObject({ status: 'error', model: models.nova, usage: { requests: 0 } });
    });
  });
});
