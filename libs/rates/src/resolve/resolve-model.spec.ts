import { resolveModel, type RateCatalog } from './resolve-model';
import { parseBedrockModelId } from './bedrock-id';
import { undatedModel } from './dated-snapshot';

const catalog = (...pairs: string[]): RateCatalog => {
  const set = new Set(pairs);
  return { has: (provider, model) => set.has(`${provider}|${model}`) };
};

describe('resolveModel', () => {
  const cards = catalog(
    'openai|gpt-4o',
    'openai|gpt-4o-2024-05-13',
    'anthropic|claude-sonnet-4-5',
    'openrouter|openai/gpt-4o',
    'openrouter|mistralai/mistral-large',
    'bedrock|us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0',
    'bedrock|global/anthropic.claude-sonnet-4-5-20250929-v1:0',
    'bedrock|eu-central-1/amazon.nova-pro-v1:0',
    'bedrock|us.amazon.nova-lite-v1:0',
  );

  it('matches exactly first, so a dated card beats its undated name', () => {
    expect(resolveModel({ provider: 'openai', model: 'gpt-4o-2024-05-13' }, cards)).toMatchObject({
      model: 'gpt-4o-2024-05-13',
      rule: 'exact',
    });
    expect(resolveModel({ provider: 'openai', model: 'gpt-4o-2024-08-06' }, cards)).toMatchObject({
      model: 'gpt-4o',
      rule: 'dated-snapshot',
    });
    expect(resolveModel({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' }, cards)).toMatchObject({
      model: 'claude-sonnet-4-5',
    });
  });

  it('strips a provider prefix, but keeps OpenRouter ids whole', () => {
    expect(resolveModel({ provider: 'openai', model: 'openai/gpt-4o' }, cards)).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      rule: 'provider-prefix',
    });
    expect(resolveModel({ provider: 'openrouter', model: 'openai/gpt-4o' }, cards)).toMatchObject({
      provider: 'openrouter',
      model: 'openai/gpt-4o',
      rule: 'exact',
    });
    expect(resolveModel({ provider: 'OpenAI', model: 'GPT-4o' }, cards)).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
  });

  it('maps Bedrock cross-region profiles to a region, and global to global rates', () => {
    expect(resolveModel({ provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }, cards)).toMatchObject({
      model: 'us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0',
      rule: 'bedrock',
    });
    expect(resolveModel({ provider: 'bedrock', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' }, cards)).toMatchObject({
      model: 'global/anthropic.claude-sonnet-4-5-20250929-v1:0',
    });
    expect(resolveModel({ provider: 'aws', model: 'eu.amazon.nova-pro-v1:0' }, cards)).toMatchObject({
      model: 'eu-central-1/amazon.nova-pro-v1:0',
    });
    // No bulk card: LiteLLM's profile id.
    expect(resolveModel({ provider: 'bedrock', model: 'us.amazon.nova-lite-v1:0' }, cards)).toMatchObject({
      model: 'us.amazon.nova-lite-v1:0',
    });
    expect(resolveModel({ provider: 'bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' }, cards)).toMatchObject({
      ok: false,
    });
  });

  it('uses admin aliases first and OpenRouter listings last', () => {
    const aliases = new Map([['house-model', { provider: 'anthropic', model: 'claude-sonnet-4-5' }]]);
    expect(resolveModel({ provider: 'custom', model: 'House-Model' }, cards, { aliases })).toMatchObject({
      model: 'claude-sonnet-4-5',
      rule: 'alias',
    });
    expect(resolveModel({ provider: 'mistralai', model: 'mistral-large' }, cards)).toMatchObject({
      provider: 'openrouter',
      rule: 'openrouter-listing',
    });
    expect(resolveModel({ provider: 'mistralai', model: 'mistral-large' }, cards, { openRouterFallback: false }).ok).toBe(false);
  });

  it('never throws for an unknown model: it says why', () => {
    expect(resolveModel({ provider: 'openai', model: 'gpt-9' }, cards)).toEqual({
      ok: false,
      reason: 'no rate card for provider "openai" model "gpt-9"',
    });
    expect(resolveModel({ provider: 'openai', model: ' ' }, cards)).toEqual({ ok: false, reason: 'the event names no model' });
    const dangling = new Map([['x', { provider: 'openai', model: 'gone' }]]);
    expect(resolveModel({ provider: 'openai', model: 'x' }, cards, { aliases: dangling }).ok).toBe(false);
  });
});

describe('parseBedrockModelId and undatedModel', () => {
  it('splits Bedrock ids', () => {
    expect(parseBedrockModelId('apac.amazon.nova-micro-v1:0')).toEqual({ baseId: 'amazon.nova-micro-v1:0', profile: 'apac', region: null });
    expect(parseBedrockModelId('bedrock/us-west-2/meta.llama3-70b-instruct-v1:0')).toEqual({
      baseId: 'meta.llama3-70b-instruct-v1:0',
      profile: null,
      region: 'us-west-2',
    });
    expect(parseBedrockModelId('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-x-v1:0')).toEqual({
      baseId: 'anthropic.claude-x-v1:0',
      profile: 'eu',
      region: 'eu-west-1',
    });
  });

  it('strips OpenAI and Anthropic date suffixes only', () => {
    expect(undatedModel('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(undatedModel('claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet');
    expect(undatedModel('deepseek-v4-flash-0731')).toBeNull();
    expect(undatedModel('gpt-4o')).toBeNull();
  });
});
