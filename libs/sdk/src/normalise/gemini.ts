import type { NormalisedUsage } from './openai-chat';
import { count, minus, normalised, record } from './counts';

interface ModalityCount {
  modality?: string;
  tokenCount?: number | null;
  token_count?: number | null;
}

/**
 * Gemini `generateContent` `usageMetadata`: camelCase as the REST API and the JS client send it, or
 * snake_case (`usage_metadata`) as Google's Python client's `model_dump()` and some proxies write it.
 */
export interface GeminiUsageMetadata {
  promptTokenCount?: number | null;
  candidatesTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  toolUsePromptTokenCount?: number | null;
  promptTokensDetails?: ModalityCount[] | null;
  cacheTokensDetails?: ModalityCount[] | null;
  candidatesTokensDetails?: ModalityCount[] | null;
  prompt_token_count?: number | null;
  candidates_token_count?: number | null;
  cached_content_token_count?: number | null;
  thoughts_token_count?: number | null;
  tool_use_prompt_token_count?: number | null;
  prompt_tokens_details?: ModalityCount[] | null;
  cache_tokens_details?: ModalityCount[] | null;
  candidates_tokens_details?: ModalityCount[] | null;
}

function audio(details: unknown): number {
  let total = 0;
  for (const d of Array.isArray(details) ? (details as ModalityCount[]) : []) {
    if (d?.modality === 'AUDIO') total += count(d.tokenCount ?? d.token_count);
  }
  return total;
}

/**
 * promptTokenCount includes the cached tokens; its per-modality details (AUDIO) include the cached ones
 * of that modality (cacheTokensDetails). toolUsePromptTokenCount is extra input. thoughtsTokenCount is
 * separate from candidatesTokenCount. Each field is read in either key style.
 */
export function normaliseGeminiUsage(raw: GeminiUsageMetadata | null | undefined): NormalisedUsage {
  const u = record(raw) as GeminiUsageMetadata;
  const cached = count(u.cachedContentTokenCount ?? u.cached_content_token_count);
  const audioIn = minus(audio(u.promptTokensDetails ?? u.prompt_tokens_details), audio(u.cacheTokensDetails ?? u.cache_tokens_details));
  const audioOut = audio(u.candidatesTokensDetails ?? u.candidates_tokens_details);
  const prompt = count(u.promptTokenCount ?? u.prompt_token_count) + count(u.toolUsePromptTokenCount ?? u.tool_use_prompt_token_count);
  return normalised({
    input_tokens: minus(prompt, cached, audioIn),
    cache_read_tokens: cached,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: minus(count(u.candidatesTokenCount ?? u.candidates_token_count), audioOut),
    reasoning_tokens: count(u.thoughtsTokenCount ?? u.thoughts_token_count),
    audio_input_tokens: audioIn,
    audio_output_tokens: audioOut,
    images: 0,
    web_searches: 0,
    requests: 0,
  });
}

/** A GenerateContentResponse (or stream chunk), in either key style. */
export interface GeminiResponseLike {
  modelVersion?: string;
  model_version?: string;
  usageMetadata?: GeminiUsageMetadata | null;
  usage_metadata?: GeminiUsageMetadata | null;
}

/** streamGenerateContent: every chunk's usageMetadata is the running total; the last one counts. */
export class GeminiStreamUsage {
  model: string | undefined;
  private last: GeminiUsageMetadata | undefined;

  observe(chunk: GeminiResponseLike): void {
    const model = chunk.modelVersion ?? chunk.model_version;
    if (model) this.model = model;
    const usage = chunk.usageMetadata ?? chunk.usage_metadata;
    if (usage) this.last = usage;
  }

  result(): NormalisedUsage | undefined {
    return this.last ? normaliseGeminiUsage(this.last) : undefined;
  }
}
