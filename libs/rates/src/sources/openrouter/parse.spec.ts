import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { MalformedSourceError } from '../../source-errors';
import { OPENROUTER_FIXTURE, readFixture } from '../../test-fixtures';
import { parseOpenRouterModels } from './parse';

describe('parseOpenRouterModels', () => {
  const parsed = parseOpenRouterModels(readFixture(OPENROUTER_FIXTURE));
  const card = (id: string) => parsed.cards.find((c) => c.model === id)!;

  it('turns every model of the real response into a card, except the 5 routers priced "-1"', () => {
    expect(parsed.cards).toHaveLength(331);
    expect(parsed.skipped.map((s) => s.id).sort()).toEqual([
      'openrouter/auto',
      'openrouter/auto-beta',
      'openrouter/bodybuilder',
      'openrouter/fusion',
      'openrouter/pareto-code',
    ]);
    expect(parsed.cards.length + parsed.skipped.length).toBe(336);
    for (const c of parsed.cards) {
      expect(c.provider).toBe('openrouter');
      for (const d of USAGE_DIMENSIONS) if (c.prices[d] !== undefined) expect(c.prices[d]!.isFinite()).toBe(true);
      expect(c.prices.input_tokens).toBeDefined();
      expect(c.prices.output_tokens).toBeDefined();
    }
    // Keys without a usage dimension are counted, not guessed.
    expect(parsed.ignoredKeys).toEqual({ input_audio_cache: 24, image_output: 9 });
    expect(parsed.timeWindowOverrides).toBe(0);
  });

  it('keeps decimal strings exact', () => {
    // google/gemini-3.6-flash input_cache_write "0.00000008333333333333334" (a double would be 8.333333333333334e-8 too,
    // but its ×3 would not be 2.5000000000000002e-7 exactly).
    expect(card('google/gemini-3.6-flash').prices.cache_write_tokens!.toFixed()).toBe('0.00000008333333333333334');
    expect(card('openai/gpt-5.6-luna-pro').prices.output_tokens!.toFixed()).toBe('0.0000006000000000000001');
  });

  it('maps pricing keys to dimensions and prompt-size overrides to tiers', () => {
    const sonnet = card('anthropic/claude-sonnet-4.5');
    expect(Object.fromEntries(Object.entries(sonnet.prices).map(([k, v]) => [k, v!.toFixed()]))).toEqual({
      input_tokens: '0.000003',
      output_tokens: '0.000015',
      web_searches: '0.01',
      cache_read_tokens: '0.0000003',
      cache_write_tokens: '0.00000375',
      cache_write_1h_tokens: '0.000006',
    });
    expect(sonnet.tiers).toHaveLength(1);
    expect(sonnet.tiers[0]!.minPromptTokens).toBe(200000n);
    expect(sonnet.tiers[0]!.prices.input_tokens!.toFixed()).toBe('0.000006');
    expect(card('qwen/qwen3.7-flash').tiers.map((t) => t.minPromptTokens)).toEqual([32000n, 256000n]);
    expect(card('perplexity/sonar-deep-research').prices.reasoning_tokens!.toFixed()).toBe('0.000003');
  });

  it('reports canonical slugs that differ from ids as aliases', () => {
    expect(parsed.aliases).toContainEqual({
      alias: 'deepseek/deepseek-v4-flash-20260731',
      provider: 'openrouter',
      model: 'deepseek/deepseek-v4-flash-0731',
    });
  });

  it('parses a price such as "0.0000000208333333333333" exactly and skips time-window overrides', () => {
    const result = parseOpenRouterModels({
      data: [
        {
          id: 'acme/model',
          pricing: {
            prompt: '0.0000000208333333333333',
            completion: '0.0000001',
            overrides: [
              { min_prompt_tokens: 128000, prompt: '0.00000005' },
              { utc_start: '16:30', utc_end: '00:30', prompt: '0.00000001' },
            ],
          },
        },
        { id: 'acme/broken', pricing: { prompt: 'free', completion: '0' } },
        { id: 'acme/no-output', pricing: { prompt: '0.1' } },
      ],
    });
    expect(result.cards).toHaveLength(1);
    expect(result.cards[0]!.prices.input_tokens!.toFixed()).toBe('0.0000000208333333333333');
    expect(result.cards[0]!.tiers).toHaveLength(1);
    expect(result.timeWindowOverrides).toBe(1);
    expect(result.skipped.map((s) => s.id)).toEqual(['acme/broken', 'acme/no-output']);
  });

  it('refuses a body that is not a model list', () => {
    expect(() => parseOpenRouterModels({ error: 'x' })).toThrow(MalformedSourceError);
    expect(() => parseOpenRouterModels({ data: [{ id: 'x' }] })).toThrow(MalformedSourceError);
  });
});
