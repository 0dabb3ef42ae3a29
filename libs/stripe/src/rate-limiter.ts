import type { OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import type { StripeOperation } from './errors';

/**
 * Paces the gateway's calls so that every worker together stays under the account's request rate (and each API
 * operation under its own), and stops them all for a while after a 429. Optional: without one the gateway calls
 * as fast as it is asked (the api, which only verifies webhooks).
 */
export abstract class StripeRateLimiter {
  /** Resolves when this call may go. */
  abstract take(operation: StripeOperation): Promise<void>;
  /** Stripe answered 429: no call goes for `ms`. */
  abstract pause(ms: number): Promise<void>;
}

export interface RateLimits {
  /** Calls per second for the whole account. */
  perSecond: number;
  /** Calls per second for each operation; 0: none of its own. */
  perOperationPerSecond: number;
}

// GCRA (a token bucket kept as one timestamp, the "theoretical arrival time"), with reservation: each call is
// given the earliest instant at which both the account's bucket and its operation's allow it, and both buckets
// are charged for that instant, so waiting callers queue in order instead of polling. A burst of a tenth of a
// second's calls is allowed after a quiet spell. Redis' clock, so every worker agrees on "now".
//   KEYS[1]: the hash; ARGV: the operation, account interval ms, account burst, operation interval ms (0: none),
//   operation burst. Returns the milliseconds to wait.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local opKey = 'tat:' .. ARGV[1]
local stored = redis.call('HMGET', KEYS[1], 'tat', opKey, 'paused_until')
local interval, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local opInterval, opBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
local tat = math.max(tonumber(stored[1]) or now, now)
local at = math.max(now, tat - (burst - 1) * interval, tonumber(stored[3]) or 0)
local opTat = math.max(tonumber(stored[2]) or now, now)
if opInterval > 0 then at = math.max(at, opTat - (opBurst - 1) * opInterval) end
redis.call('HSET', KEYS[1], 'tat', math.max(tat, at) + interval)
if opInterval > 0 then redis.call('HSET', KEYS[1], opKey, math.max(opTat, at) + opInterval) end
redis.call('PEXPIRE', KEYS[1], math.ceil(at - now) + 60000)
return math.ceil(at - now)
`;

//   KEYS[1]: the hash; ARGV[1]: the pause in ms. Keeps the later of an existing pause and this one.
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'paused_until')) or 0
if until_ > current then redis.call('HSET', KEYS[1], 'paused_until', until_) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 60000)
return until_
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The token bucket in Redis, shared by every process that uses the same key (libs/stripe/README.md, "Rate limit"). */
export class RedisStripeRateLimiter extends StripeRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly interval: number;
  private readonly burst: number;
  private readonly opInterval: number;
  private readonly opBurst: number;

  constructor(
    redisUrl: string,
    /** One per Stripe account: `<QUEUE_PREFIX>:stripe:rate` (the prefix's hash tag keeps it on the queue's slot). */
    private readonly key: string,
    limits: RateLimits,
  ) {
    super();
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', () => undefined);
    this.interval = 1000 / limits.perSecond;
    this.burst = Math.max(1, Math.floor(limits.perSecond / 10));
    this.opInterval = limits.perOperationPerSecond > 0 ? 1000 / limits.perOperationPerSecond : 0;
    this.opBurst = Math.max(1, Math.floor(limits.perOperationPerSecond / 10));
  }

  async take(operation: StripeOperation): Promise<void> {
    const wait = Number(await this.redis.eval(TAKE, 1, this.key, operation, this.interval, this.burst, this.opInterval, this.opBurst));
    if (wait > 0) await sleep(wait);
  }

  async pause(ms: number): Promise<void> {
    await this.redis.eval(PAUSE, 1, this.key, Math.max(0, Math.ceil(ms)));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
