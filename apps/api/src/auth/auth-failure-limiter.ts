/** Client addresses tracked at most; past it the oldest are forgotten (a full bucket is the same as none). */
const MAX_ADDRESSES = 100_000;

/**
 * Failed authentications per client address: a token bucket of `perMinute` failures, refilled evenly over a
 * minute. Once it is empty, requests from that address with a key the api does not hold in its cache are
 * answered 429 before any Postgres read.
 */
export class AuthFailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  /** 0 when the address may try a key now, else the seconds to wait (for Retry-After). */
  retryAfter(address: string, now: number): number {
    const tokens = this.tokens(address, now);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) * 60) / this.perMinute));
  }

  failed(address: string, now: number): void {
    const tokens = this.tokens(address, now) - 1;
    this.buckets.delete(address); // re-inserted last: the map's order is oldest first
    if (this.buckets.size >= MAX_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(address, { tokens, at: now });
  }

  private tokens(address: string, now: number): number {
    const b = this.buckets.get(address);
    if (b === undefined) return this.perMinute;
    return Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
  }
}
