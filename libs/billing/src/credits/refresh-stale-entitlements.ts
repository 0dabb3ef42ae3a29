import { Injectable } from '@nestjs/common';
import { CreditsRepository } from '@tollgate/db';
import { RefreshEntitlements } from './refresh-entitlements';

/** Customers one round claims and computes at most (a few statements for all of them). */
export const REFRESH_MAX_CUSTOMERS = 500;
/** A claim older than this is taken again: the refresher that made it died (a round takes well under a second). */
export const REFRESH_CLAIM_TIMEOUT_MS = 60_000;

/**
 * The entitlement refresher's round (docs/design.md "Credits", "The entitlement cache"): pricing marks the wallet
 * customers of each batch stale (entitlement_refreshes) and this computes them, many batches at once: it claims up to
 * `max` waiting customers no other refresher holds, computes and stores their positions and checks their credit
 * levels (RefreshEntitlements), then releases the claim: the customers not marked again since the claim are done
 * (the positions were read after it), those marked again meanwhile wait for the next round. A refresh that fails
 * gives its customers back; one that dies leaves its claim to time out.
 */
@Injectable()
export class RefreshStaleEntitlements {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly refresh: RefreshEntitlements,
  ) {}

  /** How many customers it refreshed, and whether more were waiting (a full round). */
  async execute(max = REFRESH_MAX_CUSTOMERS, claimTimeoutMs = REFRESH_CLAIM_TIMEOUT_MS): Promise<{ refreshed: number; more: boolean }> {
    const { customerIds, claimedAt } = await this.credits.claimStale(max, claimTimeoutMs);
    if (claimedAt === null) return { refreshed: 0, more: false };
    try {
      await this.refresh.execute(customerIds);
    } catch (err) {
      await this.credits.unclaimStale(customerIds, claimedAt).catch(() => undefined);
      throw err;
    }
    await this.credits.releaseStale(customerIds, claimedAt);
    return { refreshed: customerIds.length, more: customerIds.length >= max };
  }

  /** Rounds until none is waiting (tests, and whoever needs every priced batch in the entitlements now). */
  async all(): Promise<number> {
    let refreshed = 0;
    for (;;) {
      const round = await this.execute();
      refreshed += round.refreshed;
      if (round.refreshed === 0) return refreshed;
    }
  }
}
