import { Inject, Injectable, Logger } from '@nestjs/common';
import { RefreshStaleEntitlements } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { PostgresLoop } from '../common/postgres-loop';

/**
 * Refreshes the entitlements pricing marked stale (RefreshStaleEntitlements): a round starts at most every
 * ENTITLEMENT_REFRESH_MS, so one round computes a customer once for every batch priced meanwhile; at once again while
 * more are waiting than a round takes. Not a queue: the marks are in Postgres, and each worker's refresher claims
 * customers no other holds.
 */
@Injectable()
export class EntitlementRefresher extends PostgresLoop {
  constructor(
    private readonly refresh: RefreshStaleEntitlements,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {
    super(new Logger('credits'), 'refresh the stale entitlements');
  }

  protected async round(): Promise<number> {
    const started = Date.now();
    const { more } = await this.refresh.execute();
    return more ? 0 : Math.max(0, this.config.entitlementRefreshMs - (Date.now() - started));
  }
}
