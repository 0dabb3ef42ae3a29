import { MalformedSourceError } from '../../source-errors';
import { LITELLM_FIXTURE, readFixture } from '../../test-fixtures';
import { parseLiteLlmPrices } from './parse';

describe('parseLiteLlmPrices', () => {
  const parsed = parseLiteLlmPrices(readFixture(LITELLM_FIXTURE));
  const card = (provider: string, model: string) => parsed.cards.find((c) => c.provider === provider && c.model === model)!;

  it('accounts for every entry of the real file', () => {
    // 2,986 keys = sample_spec + 2,251 cards + 695 skipped + 39 duplicates of a higher-priority route.
    expect(parsed.cards).toHaveLength(2251);
    expect(parsed.skipped).toHaveLength(695);
    expect(parsed.duplicates).toBe(39);
    expect(parsed.skipped.filter((s) => s.reason.startsWith('mode '))).toHaveLength(549);
    expect(parsed.skipped.filter((s) => s.reason.startsWith('no input_cost_per_token'))).toHaveLength(146);
    for (const c of parsed.cards) {
      for (const price of [...Object.values(c.prices), ...c.tiers.flatMap((t) => Object.values(t.prices))]) {
        expect(price!.isFinite()).toBe(true);
        expect(price!.isNegative()).toBe(false);
      }
    }
  });

  it('turns floats into decimals from their shortest text, not float arithmetic', () => {
    // databricks-gpt-5-mini input 2.4997000000000006e-7: the double's shortest text, kept digit for digit.
    expect(card('databricks', 'databricks-gpt-5-mini').prices.input_tokens!.toFixed()).toBe('0.00000024997000000000006');
    expect(card('openai', 'gpt-4o').prices.cache_read_tokens!.toFixed()).toBe('0.00000125');
  });

  it('maps cache, 1h cache writes, search and the above-200k tier (from 200,001 prompt tokens)', () => {
    const sonnet = card('anthropic', 'claude-sonnet-4-5');
    expect(sonnet.prices.cache_write_tokens!.toFixed()).toBe('0.00000375');
    expect(sonnet.prices.cache_write_1h_tokens!.toFixed()).toBe('0.000006');
    expect(sonnet.prices.web_searches!.toFixed()).toBe('0.01');
    expect(sonnet.tiers).toHaveLength(1);
    expect(sonnet.tiers[0]!.minPromptTokens).toBe(200001n);
    expect(Object.fromEntries(Object.entries(sonnet.tiers[0]!.prices).map(([k, v]) => [k, v!.toFixed()]))).toEqual({
      input_tokens: '0.000006',
      output_tokens: '0.0000225',
      cache_read_tokens: '0.0000006',
      cache_write_tokens: '0.0000075',
      cache_write_1h_tokens: '0.000012',
    });
    expect(card('dashscope', 'qwen-turbo').prices.reasoning_tokens!.toFixed()).toBe('0.0000005');
  });

  it('maps litellm_provider to providers and strips route prefixes', () => {
    // gemini/gemini-2.5-pro (Gemini API) wins over Vertex's gemini-2.5-pro: same Google list price.
    expect(card('google', 'gemini-2.5-pro').tiers[0]!.minPromptTokens).toBe(200001n);
    expect(card('bedrock', 'us-east-1/meta.llama3-70b-instruct-v1:0').prices.input_tokens!.toFixed()).toBe('0.00000265');
    expect(card('bedrock', 'us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toBeDefined();
    expect(card('azure', 'gpt-4o')).toBeDefined();
    expect(card('openrouter', 'google/gemini-2.5-pro')).toBeDefined();
    expect(parsed.cards.some((c) => c.model.includes('-commitment/'))).toBe(false);
  });

  it('refuses a body that is not an object of entries', () => {
    expect(() => parseLiteLlmPrices([])).toThrow(MalformedSourceError);
    expect(() => parseLiteLlmPrices({ 'gpt-x': 3 })).toThrow(MalformedSourceError);
  });
});
