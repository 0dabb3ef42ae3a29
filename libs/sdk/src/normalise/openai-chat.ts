import type { Usage } from '../dimensions';
import { count, decimalString, minus, normalised, record } from './counts';

/** OpenAI Chat Completions `usage` (also OpenRouter's and other OpenAI-compatible servers'). */
export interface ChatCompletionUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    audio_tokens?: number | null;
    /** OpenRouter: tokens written to the provider's prompt cache, included in prompt_tokens. */
    cache_write_tokens?: number | null;
  } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null; audio_tokens?: number | null } | null;
  /** OpenRouter: what it charged, USD. */
  cost?: number | null;
}

export interface NormalisedUsage {
  usage: Usage;
  /** Provider-reported cost, USD decimal string, where the provider reports one. */
  cost?: string;
  /**
   * Set when no usage could be read (`usage` is then empty): the call is tracked with this status and the
   * server leaves it unpriced, never priced at zero.
   */
  status?: 'usage_unknown';
}

/**
 * prompt_tokens includes the cached and audio input tokens (and OpenRouter's cache writes);
 * completion_tokens includes reasoning and audio output tokens. Each is taken out once.
 */
export function normaliseChatCompletionUsage(raw: ChatCompletionUsage | null | undefined): NormalisedUsage {
  const u = record(raw) as ChatCompletionUsage;
  const prompt = record(u.prompt_tokens_details) as NonNullable<ChatCompletionUsage['prompt_tokens_details']>;
  const completion = record(u.completion_tokens_details) as NonNullable<ChatCompletionUsage['completion_tokens_details']>;
  const cacheRead = count(prompt.cached_tokens);
  const cacheWrite = count(prompt.cache_write_tokens);
  const audioIn = count(prompt.audio_tokens);
  const reasoning = count(completion.reasoning_tokens);
  const audioOut = count(completion.audio_tokens);
  const cost = typeof u.cost === 'number' ? decimalString(u.cost) : undefined;
  return normalised(
    {
      input_tokens: minus(count(u.prompt_tokens), cacheRead, cacheWrite, audioIn),
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
      cache_write_1h_tokens: 0,
      output_tokens: minus(count(u.completion_tokens), reasoning, audioOut),
      reasoning_tokens: reasoning,
      audio_input_tokens: audioIn,
      audio_output_tokens: audioOut,
      images: 0,
      web_searches: 0,
      requests: 0,
    },
    cost,
  );
}

/** A streamed chat completion's chunks; usage arrives on the last one (with `stream_options.include_usage`). */
export class ChatCompletionStreamUsage {
  model: string | undefined;
  private last: ChatCompletionUsage | undefined;

  observe(chunk: { model?: string; usage?: ChatCompletionUsage | null }): void {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.last = chunk.usage;
  }

  /** undefined: no usage arrived at all. */
  result(): NormalisedUsage | undefined {
    return this.last ? normaliseChatCompletionUsage(this.last) : undefined;
  }
}
