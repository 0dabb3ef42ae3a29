import { GoogleGenAI } from '@google/genai';
import { startRig, type Rig } from '../../test/harness';
import { wrapGoogleGenAI } from './google-genai';

describe('wrapGoogleGenAI with the real @google/genai', () => {
  let rig: Rig;
  let ai: GoogleGenAI;

  beforeEach(async () => {
    rig = await startRig({ customer: 'stark' });
    // `fetch` given (Node's own): under Jest's sandboxed global the client cannot find Node's Undici dispatcher.
    ai = wrapGoogleGenAI(new GoogleGenAI({ apiKey: 'fake-gemini-key', httpOptions: { baseUrl: rig.llm.url, fetch } }), rig.tollgate);
  });

  afterEach(() => rig.close());

  // The fake's default: 1300 prompt (1024 cached), 250 candidates, 90 thoughts.
  const usage = { input_tokens: 276, cache_read_tokens: 1024, output_tokens: 250, reasoning_tokens: 90 };

  it('meters models.generateContent, attributed to the task', async () => {
    const response = await rig.tollgate.task('summarise', { customer: 'stark', feature: 'notes' }, () =>
      ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise the meeting' }),
    );
    expect(response.text).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-flash',
      feature: 'notes',
      status: 'success',
      usage,
      metadata: { task_name: 'summarise' },
    });
  });

  it('meters models.generateContentStream from the last running total', async () => {
    const stream = await ai.models.generateContentStream({ model: 'models/gemini-2.5-flash', contents: 'Summarise the meeting' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toContain('metered and billed');
    const [event] = await rig.events();
    expect(event).toMatchObject({ provider: 'google', model: 'gemini-2.5-flash', status: 'success', usage });
  });

  it('flags usage it cannot read as usage_unknown, plain and streamed: never zero usage', async () => {
    rig.llm.setUsage('gemini', { totalTokenCount: 1640 });
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' })) void chunk;
    const events = await rig.events();
    expect(events.map((e) => [e.status, e.usage])).toEqual([
      ['usage_unknown', {}],
      ['usage_unknown', {}],
    ]);
  });

  it('an abandoned stream is reported as an error with what was known', async () => {
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi' })) {
      void chunk;
      break;
    }
    const [event] = await rig.events();
    expect(event).toMatchObject({
      status: 'error',
      metadata: { error: 'stream_abandoned' },
      usage: { input_tokens: 276, cache_read_tokens: 1024 },
    });
  });

  it('reports a failed call as an error', async () => {
    rig.llm.failNext({ status: 500 });
    await expect(
      ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config: { httpOptions: { retryOptions: { attempts: 1 } } } }),
    ).rejects.toThrow();
    const [event] = await rig.events();
    expect(event).toMatchObject({ status: 'error', model: 'gemini-2.5-flash', usage: { requests: 0 } });
  });
});
