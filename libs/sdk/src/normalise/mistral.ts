import type { NormalisedUsage } from './openai-chat';
import { normaliseChatCompletionUsage } from './openai-chat';
import { record } from './counts';

/**
 * Mistral chat `usage`: OpenAI-chat-shaped on the wire (snake_case); the TS client `@mistralai/mistralai`
 * renames the counts it knows to camelCase and passes the rest (`prompt_tokens_details`) through as sent.
 */
export interface MistralUsage {
  promptTokens?: number | null;
  completionTokens?: number | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  promptTokensDetails?: { cachedTokens?: number | null; cached_tokens?: number | null } | null;
}

/**
 * Read as OpenAI Chat Completions usage: prompt_tokens includes prompt_tokens_details.cached_tokens (prompt
 * caching, billed at its own price). The TS client fills absent counts with 0, which is why all-zero usage is
 * unknown, not free. `prompt_audio_seconds` (audio input, billed per minute) is not a token count: not read.
 */
export function normaliseMistralUsage(raw: MistralUsage | null | undefined): NormalisedUsage {
  const u = record(raw) as MistralUsage;
  const details = record(u.prompt_tokens_details ?? u.promptTokensDetails) as { cached_tokens?: unknown; cachedTokens?: unknown };
  return normaliseChatCompletionUsage({
    prompt_tokens: (u.promptTokens ?? u.prompt_tokens) as number | undefined,
    completion_tokens: (u.completionTokens ?? u.completion_tokens) as number | undefined,
    prompt_tokens_details: { cached_tokens: (details.cached_tokens ?? details.cachedTokens) as number | undefined },
  });
}

type MistralChunk = { model?: string; usage?: MistralUsage | null };

/**
 * chat.stream: the last chunk (with its finish_reason) carries the usage. The TS client yields events
 * `{ data: chunk }`; a chunk as parsed from the wire is read too.
 */
export class MistralStreamUsage {
  model: string | undefined;
  private last: MistralUsage | undefined;

  observe(item: { data?: MistralChunk } & MistralChunk): void {
    const chunk = item.data && typeof item.data === 'object' ? item.data : item;
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.last = chunk.usage;
  }

  result(): NormalisedUsage | undefined {
    return this.last ? normaliseMistralUsage(this.last) : undefined;
  }
}
