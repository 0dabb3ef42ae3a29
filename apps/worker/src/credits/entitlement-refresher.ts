import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RefreshStaleEntitlements } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';

/** After a failure. */
const RETRY_MS = 2000;

/**
 * Refreshes the entitlements pricing marked stale (RefreshStaleEntitlements): a round starts at most every
 * ENTITLEMENT_REFRESH_MS, so one round computes a customer once for every batch priced meanwhile; at once again while
 * more are waiting than a round takes. Not a queue: the marks are in Postgres, and each worker's refresher claims
 * customers no other holds. Stopped, and its round in flight awaited, before the pools close.
 */
@Injectable()
export class EntitlementRefresher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('credits');
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly refresh: RefreshStaleEntitlements,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  onApplicationBootstrap() {
    this.schedule(0);
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.round();
    }, ms);
  }

  private async round(): Promise<void> {
    const started = Date.now();
    let next: number;
    try {
      const { more } = await this.refresh.execute();
      next = more ? 0 : Math.max(0, this.config.entitlementRefreshMs - (Date.now() - started));
    } catch (err) {
      this.logger.warn({ msg: 'could not refresh the stale entitlements; trying again', err: (err as Error).message });
      next = RETRY_MS;
    }
    this.schedule(next);
  }
}
