// Retry timing. Full jitter (a uniform pick in [0, base·2^attempt], capped) spreads the retries of many
// agents after an outage instead of having them knock again in lockstep.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Unparseable or
 * absent: undefined, and the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The server's Retry-After wins over our own backoff (it knows when it will be ready), capped by maxMs. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, opts: BackoffOptions, random?: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, opts.maxMs);
  return backoffDelay(attempt, opts, random);
}
