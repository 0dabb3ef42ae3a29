import type { DeliveryResult, WireEvent } from '../types';
import { parseRetryAfter } from './backoff';

export interface PostConfig {
  eventsUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

export type PostOutcome =
  | { kind: 'delivered'; results: DeliveryResult[] }
  /** Nothing stored (API.md: 429 and 503 store nothing), or unknown after a network error: send again. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; message: string }
  | { kind: 'too_large' }
  /** The API refused the request itself (400, 401, 403, …): sending it again cannot succeed. */
  | { kind: 'refused'; status: number; code?: string; message: string };

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** One `POST /v1/events`, classified. Never throws. */
export async function postEvents(config: PostConfig, events: readonly WireEvent[]): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await config.fetch(config.eventsUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    return { kind: 'retry', message: `network: ${(error as Error)?.message ?? String(error)}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.ok) {
    const results = (body as { results?: DeliveryResult[] } | undefined)?.results;
    if (Array.isArray(results) && results.length === events.length) return { kind: 'delivered', results };
    return { kind: 'retry', status: response.status, message: 'malformed response from the ingest API' };
  }
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const message = `HTTP ${response.status}${error?.message ? `: ${error.message}` : ''}`;
  if (response.status === 413) return { kind: 'too_large' };
  if (RETRYABLE.has(response.status) || response.status >= 500) {
    return { kind: 'retry', status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')), message };
  }
  return { kind: 'refused', status: response.status, code: error?.code, message };
}
