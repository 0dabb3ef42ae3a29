import type { NormalisedUsage } from './openai-chat';
import { count, minus, normalised, record } from './counts';

/** OpenAI Responses API `usage`. */
export interface ResponsesUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ResponsesResult {
  model?: string;
  usage?: ResponsesUsage | null;
  output?: ReadonlyArray<{ type?: string }> | null;
}

/**
 * input_tokens includes the cached tokens, output_tokens the reasoning tokens. Hosted tools are counted
 * from the output items: each `web_search_call` is one search, each `image_generation_call` one image.
 */
export function normaliseResponse(response: ResponsesResult | null | undefined): NormalisedUsage {
  const res = record(response) as ResponsesResult;
  const raw = record(res.usage) as ResponsesUsage;
  const cacheRead = count(record(raw.input_tokens_details).cached_tokens);
  const reasoning = count(record(raw.output_tokens_details).reasoning_tokens);
  let webSearches = 0;
  let images = 0;
  for (const item of Array.isArray(res.output) ? res.output : []) {
    if (item?.type === 'web_search_call') webSearches++;
    else if (item?.type === 'image_generation_call') images++;
  }
  return normalised({
    input_tokens: minus(count(raw.input_tokens), cacheRead),
    cache_read_tokens: cacheRead,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: minus(count(raw.output_tokens), reasoning),
    reasoning_tokens: reasoning,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    images,
    web_searches: webSearches,
    requests: 0,
  });
}

/** A streamed response: the terminal event (completed, incomplete or failed) carries the whole response. */
export class ResponsesStreamUsage {
  model: string | undefined;
  private final: ResponsesResult | undefined;

  observe(event: { type?: string; response?: ResponsesResult }): void {
    if (event.response?.model) this.model = event.response.model;
    if (
      event.response?.usage &&
      (event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed')
    ) {
      this.final = event.response;
    }
  }

  result(): NormalisedUsage | undefined {
    return this.final ? normaliseResponse(this.final) : undefined;
  }
}
