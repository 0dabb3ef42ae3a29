/**
 * LiteLLM's `litellm_provider` -> Tollgate provider, for the direct provider ids LiteLLM prices. Gemini API and
 * Vertex AI's Gemini models are both Google's list prices; Bedrock's two API routes are one provider.
 * Anything not listed keeps LiteLLM's name. Earlier entries win when two name the same (provider, model).
 */
export const LITELLM_PROVIDERS: readonly (readonly [litellmProvider: string, provider: string])[] = [
  ['openai', 'openai'],
  ['text-completion-openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['gemini', 'google'],
  ['vertex_ai-language-models', 'google'],
  ['bedrock_converse', 'bedrock'],
  ['bedrock', 'bedrock'],
  ['azure', 'azure'],
  ['azure_text', 'azure'],
  ['xai', 'xai'],
  ['mistral', 'mistral'],
  ['deepseek', 'deepseek'],
];

const PROVIDER_BY_LITELLM = new Map(LITELLM_PROVIDERS);
const PRIORITY = new Map(LITELLM_PROVIDERS.map(([name], index) => [name, index]));

export function providerFor(litellmProvider: string): string {
  const mapped = PROVIDER_BY_LITELLM.get(litellmProvider);
  if (mapped !== undefined) return mapped;
  // Partner models on Vertex AI (`vertex_ai-anthropic_models`, …) are billed by Google Cloud under vertex_ai.
  return litellmProvider.startsWith('vertex_ai') ? 'vertex_ai' : litellmProvider;
}

/** Lower wins; unlisted providers come after every listed one. */
export function providerPriority(litellmProvider: string): number {
  return PRIORITY.get(litellmProvider) ?? LITELLM_PROVIDERS.length;
}

/** LiteLLM keys carry a route prefix (`azure/gpt-4o`, `bedrock/us-east-1/…`, `gemini/…`): the model is what follows it. */
export function modelIdFor(key: string, litellmProvider: string, provider: string): string {
  const slash = key.indexOf('/');
  if (slash < 0) return key;
  const prefix = key.slice(0, slash);
  const routePrefixes = [litellmProvider, provider, litellmProvider.split(/[-_]/)[0]];
  return routePrefixes.includes(prefix) ? key.slice(slash + 1) : key;
}
