import { DEFAULT_SOURCE_ORDER, parseSourceOrder, sourcesFor } from './source-order';

describe('source order', () => {
  it('puts overrides first and the natural source of each provider next', () => {
    expect(sourcesFor(DEFAULT_SOURCE_ORDER, 'openrouter')).toEqual(['override', 'openrouter', 'litellm']);
    expect(sourcesFor(DEFAULT_SOURCE_ORDER, 'bedrock')).toEqual(['override', 'bedrock', 'litellm']);
    expect(sourcesFor(DEFAULT_SOURCE_ORDER, 'anthropic')[1]).toBe('litellm');
  });

  it('reads a configured order and refuses unknown sources', () => {
    const order = parseSourceOrder('bedrock=override,litellm,bedrock; *=override,litellm');
    expect(sourcesFor(order, 'bedrock')).toEqual(['override', 'litellm', 'bedrock']);
    expect(sourcesFor(order, 'openai')).toEqual(['override', 'litellm']);
    expect(() => parseSourceOrder('openai=override,vibes')).toThrow('unknown source "vibes"');
  });
});

describe('the default order, from the source registry', () => {
  it('is what it was written as before the registry: each source first for its own provider, LiteLLM the general fallback', () => {
    expect(DEFAULT_SOURCE_ORDER).toEqual({
      byProvider: { openrouter: ['override', 'openrouter', 'litellm'], bedrock: ['override', 'bedrock', 'litellm'] },
      otherwise: ['override', 'litellm', 'openrouter', 'bedrock'],
    });
  });
});
