import type { NormalisedUsage } from './openai-chat';
import { count, minus, normalised, record } from './counts';

/** Bedrock Converse / ConverseStream `usage` (TokenUsage). */
export interface BedrockTokenUsage {
  inputTokens?: number | null;
  outputTokens?: number | null;
  cacheReadInputTokens?: number | null;
  cacheWriteInputTokens?: number | null;
  /** The same counts under another name in some responses: one count, never added to the above. */
  cacheReadInputTokenCount?: number | null;
  cacheWriteInputTokenCount?: number | null;
  cacheDetails?: ReadonlyArray<{ ttl?: string; inputTokens?: number | null }> | null;
}

/**
 * inputTokens, outputTokens, cache reads and cache writes are disjoint. cacheDetails splits the writes
 * by TTL; writes it does not attribute to 1h are 5-minute.
 */
export function normaliseBedrockUsage(raw: BedrockTokenUsage | null | undefined): NormalisedUsage {
  const u = record(raw) as BedrockTokenUsage;
  const read = count(u.cacheReadInputTokens ?? u.cacheReadInputTokenCount);
  let detailed1h = 0;
  let detailedOther = 0;
  for (const d of Array.isArray(u.cacheDetails) ? u.cacheDetails : []) {
    if (d?.ttl === '1h') detailed1h += count(d.inputTokens);
    else detailedOther += count(d?.inputTokens);
  }
  const written = count(u.cacheWriteInputTokens ?? u.cacheWriteInputTokenCount) || detailed1h + detailedOther;
  const oneHour = Math.min(detailed1h, written);
  return normalised({
    input_tokens: count(u.inputTokens),
    cache_read_tokens: read,
    cache_write_tokens: minus(written, oneHour),
    cache_write_1h_tokens: oneHour,
    output_tokens: count(u.outputTokens),
    reasoning_tokens: 0,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    images: 0,
    web_searches: 0,
    requests: 0,
  });
}

/** ConverseStream: the `metadata` event carries the usage of the whole call. */
export class BedrockStreamUsage {
  private last: BedrockTokenUsage | undefined;

  observe(event: { metadata?: { usage?: BedrockTokenUsage } }): void {
    if (event.metadata?.usage) this.last = event.metadata.usage;
  }

  result(): NormalisedUsage | undefined {
    return this.last ? normaliseBedrockUsage(this.last) : undefined;
  }
}
