import { emptyUsage, type Usage } from '../dimensions';
import { exact } from './exact';
import type { PriceSheet, Prices } from './price-sheet';
import { IncompletePriceSheetError, providerCost } from './provider-cost';

function usage(counts: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...counts };
}

function prices(record: Record<string, string>): Prices {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, exact(v)])) as Prices;
}

// Prices copied from the OpenRouter fixture (openrouter-models-2026-08-01.json), USD per token.
const claudeSonnet45: PriceSheet = {
  // anthropic/claude-sonnet-4.5
  prices: prices({
    input_tokens: '0.000003',
    output_tokens: '0.000015',
    web_searches: '0.01',
    cache_read_tokens: '0.0000003',
    cache_write_tokens: '0.00000375',
    cache_write_1h_tokens: '0.000006',
  }),
  tiers: [
    {
      minPromptTokens: 200000n,
      prices: prices({
        input_tokens: '0.000006',
        output_tokens: '0.0000225',
        cache_read_tokens: '0.0000006',
        cache_write_tokens: '0.0000075',
        cache_write_1h_tokens: '0.000012',
      }),
    },
  ],
};

describe('providerCost', () => {
  it('prices a cached call per dimension (anthropic/claude-sonnet-4.5, base prices)', () => {
    // prompt size 1,000 + 50,000 + 2,000 + 1,000 = 54,000 < 200,000: base prices.
    // 1,000 × 0.000003 = 0.003; 50,000 × 0.0000003 = 0.015; 2,000 × 0.00000375 = 0.0075;
    // 1,000 × 0.000006 = 0.006; 500 × 0.000015 = 0.0075; total 0.039
    const cost = providerCost(
      usage({
        input_tokens: 1000n,
        cache_read_tokens: 50000n,
        cache_write_tokens: 2000n,
        cache_write_1h_tokens: 1000n,
        output_tokens: 500n,
        requests: 1n,
      }),
      claudeSonnet45,
    );
    expect(cost.total.toFixed()).toBe('0.039');
    expect(cost.tierMinPromptTokens).toBeNull();
    expect(cost.promptTokens).toBe(54000n);
    expect(Object.fromEntries(cost.lines.map((l) => [l.dimension, l.amount.toFixed()]))).toEqual({
      input_tokens: '0.003',
      cache_read_tokens: '0.015',
      cache_write_tokens: '0.0075',
      cache_write_1h_tokens: '0.006',
      output_tokens: '0.0075',
      requests: '0',
    });
  });

  it('applies the tier to every token once the prompt size reaches the threshold', () => {
    // prompt size 150,000 + 60,000 = 210,000 >= 200,000: the tier prices all tokens, not only the excess.
    // 150,000 × 0.000006 = 0.9; 60,000 × 0.0000006 = 0.036; 1,000 × 0.0000225 = 0.0225;
    // web searches are not in the tier: base 2 × 0.01 = 0.02; total 0.9785
    const cost = providerCost(
      usage({ input_tokens: 150000n, cache_read_tokens: 60000n, output_tokens: 1000n, web_searches: 2n }),
      claudeSonnet45,
    );
    expect(cost.total.toFixed()).toBe('0.9785');
    expect(cost.tierMinPromptTokens).toBe(200000n);
  });

  it('uses the threshold inclusively (>=) and only input-side dimensions count toward it', () => {
    // 199,999 prompt tokens: base. 1,000,000 output tokens do not count toward the prompt size.
    const below = providerCost(usage({ input_tokens: 199999n, output_tokens: 1000000n }), claudeSonnet45);
    expect(below.tierMinPromptTokens).toBeNull();
    // 199,999 × 0.000003 + 1,000,000 × 0.000015 = 0.599997 + 15
    expect(below.total.toFixed()).toBe('15.599997');
    const at = providerCost(usage({ input_tokens: 199999n, audio_input_tokens: 1n }), claudeSonnet45);
    expect(at.tierMinPromptTokens).toBe(200000n);
    // audio input falls back to the tier's input price: 200,000 × 0.000006 = 1.2
    expect(at.total.toFixed()).toBe('1.2');
  });

  it('picks the highest tier reached whatever the order of the tiers', () => {
    // qwen/qwen3.7-flash: tiers at 32,000 and 256,000 prompt tokens (listed here in reverse).
    const sheet: PriceSheet = {
      prices: prices({ input_tokens: '0.00000003', output_tokens: '0.00000013' }),
      tiers: [
        { minPromptTokens: 256000n, prices: prices({ input_tokens: '0.0000002', output_tokens: '0.0000008' }) },
        { minPromptTokens: 32000n, prices: prices({ input_tokens: '0.0000001', output_tokens: '0.0000004' }) },
      ],
    };
    // 100,000 × 0.0000001 = 0.01
    expect(providerCost(usage({ input_tokens: 100000n }), sheet).total.toFixed()).toBe('0.01');
    // 300,000 × 0.0000002 = 0.06
    expect(providerCost(usage({ input_tokens: 300000n }), sheet).total.toFixed()).toBe('0.06');
  });

  it('prices reasoning at its own price when the card has one, else at the output price', () => {
    // perplexity/sonar-deep-research: prompt 0.000002, completion 0.000008, internal_reasoning 0.000003,
    // web_search 0.005, no request price.
    // 2,000 × 0.000002 = 0.004; 800 × 0.000008 = 0.0064; 10,000 × 0.000003 = 0.03; 5 × 0.005 = 0.025;
    // 1 request × 0 = 0; total 0.0654
    const sonar: PriceSheet = {
      prices: prices({
        input_tokens: '0.000002',
        output_tokens: '0.000008',
        reasoning_tokens: '0.000003',
        web_searches: '0.005',
      }),
      tiers: [],
    };
    const cost = providerCost(
      usage({ input_tokens: 2000n, output_tokens: 800n, reasoning_tokens: 10000n, web_searches: 5n, requests: 1n }),
      sonar,
    );
    expect(cost.total.toFixed()).toBe('0.0654');
    // openai/gpt-4o has no internal_reasoning price: 1,000 reasoning × completion 0.00001 = 0.01
    const gpt4o: PriceSheet = {
      prices: prices({ input_tokens: '0.0000025', output_tokens: '0.00001', cache_read_tokens: '0.00000125' }),
      tiers: [],
    };
    const reasoning = providerCost(usage({ reasoning_tokens: 1000n }), gpt4o);
    expect(reasoning.total.toFixed()).toBe('0.01');
    expect(reasoning.lines[0]!.priceFrom).toBe('output_tokens');
  });

  it('walks the 1h cache-write chain and stays exact on long decimals', () => {
    // google/gemini-3.6-flash: input_cache_write 0.00000008333333333333334, no 1h price.
    // 3 × 0.00000008333333333333334 = 0.00000025000000000000002 exactly (a float would say 2.5e-7).
    const sheet: PriceSheet = {
      prices: prices({
        input_tokens: '0.0000015',
        output_tokens: '0.0000075',
        cache_write_tokens: '0.00000008333333333333334',
      }),
      tiers: [],
    };
    const cost = providerCost(usage({ cache_write_1h_tokens: 3n }), sheet);
    expect(cost.total.toFixed()).toBe('0.00000025000000000000002');
    expect(cost.lines[0]!.priceFrom).toBe('cache_write_tokens');
  });

  it('keeps products of huge counts and long prices exact', () => {
    // 9,223,372,036,854,775,807 × 0.0000000208333333333333 = 192153584101.1408552000987715074731; a 20-digit
    // decimal.js default would round it.
    const sheet: PriceSheet = {
      prices: prices({ input_tokens: '0.0000000208333333333333', output_tokens: '0.000001' }),
      tiers: [],
    };
    const cost = providerCost(usage({ input_tokens: 9223372036854775807n }), sheet);
    expect(cost.total.toFixed()).toBe('192153584101.1408552000987715074731');
  });

  it('refuses a card without an input price rather than pricing tokens at 0', () => {
    const sheet: PriceSheet = { prices: prices({ output_tokens: '0.00001' }), tiers: [] };
    expect(() => providerCost(usage({ cache_read_tokens: 10n }), sheet)).toThrow(IncompletePriceSheetError);
    // With no usage on the missing dimensions there is nothing to price.
    expect(providerCost(usage({ output_tokens: 10n }), sheet).total.toFixed()).toBe('0.0001');
  });
});
