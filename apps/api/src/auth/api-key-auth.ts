import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AuthenticateApiKey, GetApiKeyRevision, RecordApiKeyUse, type Authenticated } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { KeyPrincipal } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { KeyCache, STALE_AFTER_MS } from './key-cache';
import { KeyUsage } from './key-usage';

/** How often each api instance reads the keys' revision: well inside STALE_AFTER_MS. */
const POLL_MS = STALE_AFTER_MS / 2;
/** How often noted key uses are written (one statement, only when there are some). */
const USAGE_FLUSH_MS = 1000;

/**
 * Who a bearer key is, cheaply: good keys from the in-process cache (no Postgres read, no HMAC), others read
 * once at a time per key; failed authentications limited per client address, so a flood of bad keys costs no
 * Postgres read past the limit and never pushes good keys out of the cache.
 */
@Injectable()
export class ApiKeyAuth implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private readonly cache = new KeyCache();
  private readonly failures: AuthFailureLimiter;
  private readonly usage = new KeyUsage();
  private readonly reading = new Map<string, Promise<Authenticated | null>>();
  private pollTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private pollFailing = false;
  private stopped = false;

  constructor(
    private readonly authenticate: AuthenticateApiKey,
    private readonly revision: GetApiKeyRevision,
    private readonly recordUse: RecordApiKeyUse,
    @Inject(CONFIG) config: TollgateConfig,
  ) {
    this.failures = new AuthFailureLimiter(config.authFailuresPerMinute);
  }

  /** The key's principal, or an ApiError (401; 429 once the address failed too often); an outage throws as it is (503). */
  async principalOf(key: string, address: string): Promise<KeyPrincipal> {
    const now = Date.now();
    const hit = this.cache.get(key, now);
    if (hit !== undefined) {
      this.usage.note(hit.principal.keyId, now);
      return hit.principal;
    }
    const wait = this.failures.retryAfter(address, now);
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', 'too many failed authentications from this address', undefined, {
        'retry-after': String(wait),
      });
    }
    const found = await this.read(key);
    if (found === null) {
      this.failures.failed(address, Date.now());
      throw new ApiError(401, 'unauthorized', 'invalid or revoked API key');
    }
    this.usage.note(found.principal.keyId, now);
    return found.principal;
  }

  /** After a key of this instance's organisation was revoked or rotated here: no need to wait for the poll. */
  forgetCachedKeys(): void {
    this.cache.drop();
  }

  async onModuleInit() {
    this.schedulePoll(0);
    this.flushTimer = setInterval(() => void this.flushUsage(), USAGE_FLUSH_MS);
    this.flushTimer.unref();
  }

  async onApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.flushTimer);
    await this.flushUsage();
  }

  /** One Postgres read per key at a time, however many requests carry it. */
  private read(key: string): Promise<Authenticated | null> {
    let pending = this.reading.get(key);
    if (pending === undefined) {
      const ticket = this.cache.ticket();
      const fetchedAt = Date.now();
      pending = this.authenticate.execute({ key }).then((found) => {
        if (found !== null) {
          this.cache.set(key, { principal: found.principal, validUntil: found.validUntil?.getTime() ?? Infinity, fetchedAt }, ticket);
        }
        return found;
      });
      pending.finally(() => this.reading.delete(key)).catch(() => undefined);
      this.reading.set(key, pending);
    }
    return pending;
  }

  private schedulePoll(delay: number) {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => void this.checkRevocations().then(() => this.schedulePoll(POLL_MS)), delay);
    this.pollTimer.unref();
  }

  /** Reads the keys' revision: a change drops every cached key (each instance runs it every POLL_MS). */
  async checkRevocations(): Promise<void> {
    const startedAt = Date.now();
    try {
      this.cache.confirm(await this.revision.execute(), startedAt);
      if (this.pollFailing) this.logger.log({ msg: 'reading API key revocations again' });
      this.pollFailing = false;
    } catch (err) {
      // Cached keys lapse within STALE_AFTER_MS and are read again (503 while Postgres is away).
      if (!this.pollFailing)
        this.logger.warn({ msg: 'cannot read API key revocations; cached keys lapse within a second', err: (err as Error).message });
      this.pollFailing = true;
    }
  }

  private async flushUsage() {
    const used = this.usage.take();
    if (used.size === 0) return;
    try {
      await this.recordUse.execute({ used });
    } catch (err) {
      this.usage.giveBack(used);
      this.logger.debug({ msg: 'could not note API key use; next time', err: (err as Error).message });
    }
  }
}
