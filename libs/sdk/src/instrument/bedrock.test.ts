import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
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
});
