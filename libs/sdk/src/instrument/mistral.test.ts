import { Mistral } from '@mistralai/mistralai';
import { z } from 'zod';
import { startRig, type Rig } from '../../test/harness';
import { wrapMistral } from './mistral';

describe('wrapMistral with the real @mistralai/mistralai', () => {
  let rig: Rig;
  let mistral: Mistral;

  beforeEach(async () => {
    rig = await startRig({ customer: 'wayne' });
    mistral = wrapMistral(new Mistral({ apiKey: 'fake-mistral-key', serverURL: rig.llm.mistralServerUrl }), rig.tollgate);
  });

  afterEach(() => rig.close());

  const messages = [{ role: 'user' as const, content: 'Classify this ticket' }];
  // The fake's default usage: 1800 prompt tokens (1536 of them cached), 250 completion.
  const usage = { input_tokens: 264, cache_read_tokens: 1536, output_tokens: 250 };

  it('meters chat.complete, with the usage as the client returns it (camelCase)', async () => {
    const response = await rig.tollgate.task('classify', { customer: 'wayne', feature: 'triage' }, () =>
      mistral.chat.complete({ model: 'mistral-small-latest', messages }),
    );
    expect(response.usage.promptTokens).toBe(1800);
    expect(response.choices[0]?.message?.content).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'mistral', model: 'mistral-small-latest', feature: 'triage', status: 'success', usage });
  });

  it('meters chat.stream from the usage of its last chunk', async () => {
    const stream = await mistral.chat.stream({ model: 'mistral-small-latest', messages });
    let text = '';
    for await (const event of stream) text += (event.data.choices[0]?.delta.content as string | undefined) ?? '';
    expect(text).toContain('metered and billed');
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'mistral', model: 'mistral-small-latest', status: 'success', usage });
  });

  it('meters chat.parse and chat.parseStream', async () => {
    const responseFormat = z.object({ label: z.string() });
    await mistral.chat.parse({ model: 'mistral-small-latest', messages, responseFormat });
    for await (const event of await mistral.chat.parseStream({ model: 'mistral-small-latest', messages, responseFormat })) void event;
    expect((await rig.events()).map((e) => e.usage)).toEqual([usage, usage]);
  });

  it('flags usage it cannot read as usage_unknown, never zeros (the client fills absent counts with 0)', async () => {
    rig.llm.setUsage('mistral', { input_tokens: 1800, output_tokens: 250 });
    const response = await mistral.chat.complete({ model: 'mistral-small-latest', messages });
    expect(response.usage).toMatchObject({ promptTokens: 0, completionTokens: 0 });
    for await (const event of await mistral.chat.stream({ model: 'mistral-small-latest', messages })) void event;
    const events = await rig.events();
    expect(events.map((e) => [e.status, e.usage])).toEqual([
      ['usage_unknown', {}],
      ['usage_unknown', {}],
    ]);
  });

  it('reports a failed call as an error with no usage', async () => {
    rig.llm.failNext({ status: 500 });
    await expect(mistral.chat.complete({ model: 'mistral-small-latest', messages }, { retries: { strategy: 'none' } })).rejects.toThrow();
    const [event] = await rig.events();
    expect(event).toMatchObject({ status: 'error', model: 'mistral-small-latest', usage: { requests: 0 } });
  });
});
