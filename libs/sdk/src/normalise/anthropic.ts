import type { NormalisedUsage } from './openai-chat';
import { count, minus, normalised, record } from './counts';

/** Anthropic Messages `usage` (also the cumulative `usage` of a streamed `message_delta`). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  server_tool_use?: { web_search_requests?: number | null } | null;
}

/**
 * input_tokens already excludes cache reads and writes. Cache writes are split by TTL when
 * `cache_creation` says so; writes it does not attribute are 5-minute (the default TTL). Thinking is
 * billed inside output_tokens (its `thinking_tokens` breakdown is approximate), so it stays there.
 */
export function normaliseAnthropicUsage(raw: AnthropicUsage | null | undefined): NormalisedUsage {
  const u = record(raw) as AnthropicUsage;
  const created = count(u.cache_creation_input_tokens);
  const ttl = u.cache_creation ? record(u.cache_creation) : undefined;
  const oneHour = count(ttl?.ephemeral_1h_input_tokens);
  const fiveMinute = ttl ? Math.max(count(ttl.ephemeral_5m_input_tokens), minus(created, oneHour)) : created;
  return normalised({
    input_tokens: count(u.input_tokens),
    cache_read_tokens: count(u.cache_read_input_tokens),
    cache_write_tokens: fiveMinute,
    cache_write_1h_tokens: oneHour,
    output_tokens: count(u.output_tokens),
    reasoning_tokens: 0,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    images: 0,
    web_searches: count(record(u.server_tool_use).web_search_requests),
    requests: 0,
  });
}

type StreamEvent = { type?: string; message?: { model?: string; usage?: AnthropicUsage }; usage?: AnthropicUsage };

/**
 * A streamed message: `message_start` carries the first usage, each `message_delta` a cumulative one,
 * whose fields replace (never add to) what came before.
 */
export class AnthropicStreamUsage {
  model: string | undefined;
  private usage: AnthropicUsage | undefined;

  observe(event: StreamEvent): void {
    if (event.type === 'message_start' && event.message) {
      this.model = event.message.model ?? this.model;
      this.usage = { ...event.message.usage };
    } else if (event.type === 'message_delta' && event.usage) {
      const merged: AnthropicUsage = { ...this.usage };
      for (const [key, value] of Object.entries(event.usage)) {
        if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
      }
      this.usage = merged;
    }
  }

  result(): NormalisedUsage | undefined {
    return this.usage ? normaliseAnthropicUsage(this.usage) : undefined;
  }
}
