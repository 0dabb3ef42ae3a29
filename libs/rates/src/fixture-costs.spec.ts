import { emptyUsage, exact, providerCost, type Usage } from '@tollgate/pricing';
import { parseLiteLlmPrices } from './sources/litellm/parse';
import { parseOpenRouterModels } from './sources/openrouter/parse';
import { LITELLM_FIXTURE, OPENROUTER_FIXTURE, readFixture } from './test-fixtures';

// End to end: parse the real fixtures, price usage, compare with arithmetic worked out by hand from the
// fixture prices and with LiteLLM's published rules (litellm cost_calculator: text tokens of a prompt =
// prompt − cached − cache creation; reasoning at output_cost_per_reasoning_token, else the output price;
// `*_above_200k_tokens` prices for every token once the prompt exceeds 200,000 tokens).
const litellm = parseLiteLlmPrices(readFixture(LITELLM_FIXTURE));
const openrouter = parseOpenRouterModels(readFixture(OPENROUTER_FIXTURE));
const card = (provider: string, model: string) =>
  (provider === 'openrouter' ? openrouter.cards : litellm.cards).find((c) => c.provider === provider && c.model === model)!;
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });

/** An OpenAI-shaped usage (prompt includes cached and cache-creation tokens; completion includes reasoning) -> disjoint. */
function fromOpenAiShape(prompt: bigint, cached: bigint, cacheCreation: bigint, completion: bigint, reasoning: bigint): Usage {
  return usage({
    input_tokens: prompt - cached - cacheCreation,
    cache_read_tokens: cached,
    cache_write_tokens: cacheCreation,
    output_tokens: completion - reasoning,
    reasoning_tokens: reasoning,
  });
}

describe('provider cost from the fixture rate cards', () => {
  it('cached call, LiteLLM claude-sonnet-4-5', () => {
    // prompt 30,000 of which 20,000 cached and 5,000 cache creation; completion 1,200.
    // text 5,000 × 0.000003 = 0.015; cached 20,000 × 0.0000003 = 0.006; creation 5,000 × 0.00000375 = 0.01875;
    // output 1,200 × 0.000015 = 0.018; total 0.05775
    const cost = providerCost(fromOpenAiShape(30000n, 20000n, 5000n, 1200n, 0n), card('anthropic', 'claude-sonnet-4-5'));
    expect(cost.total.toFixed()).toBe('0.05775');
  });

  it('over-200k call, LiteLLM gemini-2.5-pro: the tier prices every token, from 200,001', () => {
    // prompt 250,000 (100,000 cached), completion 4,000 incl. 1,000 reasoning; 250,000 > 200,000: tier.
    // text 150,000 × 0.0000025 = 0.375; cached 100,000 × 0.00000025 = 0.025; output 3,000 × 0.000015 = 0.045;
    // reasoning: no reasoning price, output 1,000 × 0.000015 = 0.015; total 0.46
    const gemini = card('google', 'gemini-2.5-pro');
    expect(providerCost(fromOpenAiShape(250000n, 100000n, 0n, 4000n, 1000n), gemini).total.toFixed()).toBe('0.46');
    // Exactly 200,000 prompt tokens is not above 200k: base prices. 200,000 × 0.00000125 = 0.25
    expect(providerCost(usage({ input_tokens: 200000n }), gemini).total.toFixed()).toBe('0.25');
    // 200,001 × 0.0000025 = 0.5000025
    expect(providerCost(usage({ input_tokens: 200001n }), gemini).total.toFixed()).toBe('0.5000025');
  });

  it('reasoning at output_cost_per_reasoning_token when listed (LiteLLM dashscope/qwen-turbo)', () => {
    // output 1,000 × 0.0000002 = 0.0002; reasoning 10,000 × 0.0000005 = 0.005; input 500 × 0.00000005 = 0.000025
    const qwen = card('dashscope', 'qwen-turbo');
    expect(qwen.prices.input_tokens!.toFixed()).toBe('0.00000005');
    expect(providerCost(fromOpenAiShape(500n, 0n, 0n, 11000n, 10000n), qwen).total.toFixed()).toBe('0.005225');
  });

  it('agrees with LiteLLM’s formula for a random-ish mix on gpt-4o', () => {
    const gpt4o = card('openai', 'gpt-4o');
    const [prompt, cached, completion, reasoning] = [123457n, 65536n, 9876n, 4321n];
    const litellmFormula = exact((prompt - cached).toString())
      .times(gpt4o.prices.input_tokens!)
      .plus(exact(cached.toString()).times(gpt4o.prices.cache_read_tokens!))
      .plus(exact(completion.toString()).times(gpt4o.prices.output_tokens!));
    expect(providerCost(fromOpenAiShape(prompt, cached, 0n, completion, reasoning), gpt4o).total.eq(litellmFormula)).toBe(true);
  });

  it('OpenRouter anthropic/claude-sonnet-4.5 with 1h cache writes over its 200,000 threshold', () => {
    // 100,000 input + 100,000 1h writes = 200,000 >= 200,000: tier. 100,000 × 0.000006 = 0.6;
    // 100,000 × 0.000012 = 1.2; 2,000 output × 0.0000225 = 0.045; total 1.845
    const cost = providerCost(
      usage({ input_tokens: 100000n, cache_write_1h_tokens: 100000n, output_tokens: 2000n }),
      card('openrouter', 'anthropic/claude-sonnet-4.5'),
    );
    expect(cost.total.toFixed()).toBe('1.845');
  });
});
