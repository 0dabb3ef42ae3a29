import { FakeLlm } from '@tollgate/testing';
import { GeminiStreamUsage, normaliseGeminiUsage } from './gemini';

// No Gemini client package is a dependency: the wire format is read here as an agent's own fetch would.
describe('Gemini generateContent over the wire (fake LLM server)', () => {
  let llm: FakeLlm;
  beforeAll(async () => {
    llm = await new FakeLlm().start();
  });
  afterAll(() => llm.close());

  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Summarise' }] }] });
  // The fake's default: 1300 prompt (1024 cached), 250 candidates, 90 thoughts.
  const usage = { input_tokens: 276, cache_read_tokens: 1024, output_tokens: 250, reasoning_tokens: 90 };

  it('normalises a generateContent response', async () => {
    const res = await fetch(`${llm.geminiBaseUrl}/models/gemini-2.5-flash:generateContent`, { method: 'POST', body });
    const json = (await res.json()) as { modelVersion: string; usageMetadata: object };
    expect(json.modelVersion).toBe('gemini-2.5-flash');
    expect(normaliseGeminiUsage(json.usageMetadata).usage).toEqual(usage);
  });

  it('normalises the last running total of a streamGenerateContent SSE stream', async () => {
    const res = await fetch(`${llm.geminiBaseUrl}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { method: 'POST', body });
    const acc = new GeminiStreamUsage();
    const chunks = (await res.text()).split('\r\n\r\n').filter((s) => s.startsWith('data: '));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) acc.observe(JSON.parse(chunk.slice('data: '.length)));
    expect(acc.model).toBe('gemini-2.5-flash');
    expect(acc.result()?.usage).toEqual(usage);
  });
});
