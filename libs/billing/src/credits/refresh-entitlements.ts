import { Injectable } from '@nestjs/common';
import { CreditsRepository, type EntitlementWrite } from '@tollgate/db';
import type { CheckUsageThresholdsCommand } from '../alerts/check-usage-thresholds';
import { CheckCreditLevels } from './check-credit-levels';
import { CreditPositions, type CreditPosition } from './credit-positions';

function entitlementWrite(p: CreditPosition): EntitlementWrite {
  return {
    customer_id: p.customerId,
    organization_id: p.organizationId,
    revision: p.revision,
    customer_updated_at: p.customerUpdatedAt,
    period_end: p.period.end,
    currency: p.currency,
    allowed: p.entitlement.allowed,
    reason: p.entitlement.allowed ? null : p.entitlement.reason,
    balance: p.balance.toFixed(),
    ongoing_balance: p.ongoingBalance.toFixed(),
    period_usage: p.periodUsage.toFixed(),
    spend_cap: p.spendCap === null ? null : p.spendCap.toFixed(),
    computed_at: p.readAt,
  };
}

/**
 * Keeps the entitlement cache current (docs/design.md "Credits"): after each priced batch, for the batch's
 * customers that have a wallet (their entitlement was asked for, or they have credits: usually few, found by one
 * indexed query), their positions are computed in a handful of statements, stored (never over a later one), and
 * their credit levels checked (top-ups, credits.* alerts). Also after an expiry and on a read that finds the cache
 * stale.
 */
@Injectable()
export class RefreshEntitlements {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly positions: CreditPositions,
    private readonly levels: CheckCreditLevels,
  ) {}

  /** After a batch is priced and committed (PriceBatch): `check` is the periods it priced, or null to read them back. */
  async afterPricing(batchId: string, check: CheckUsageThresholdsCommand | null): Promise<void> {
    const watched =
      check === null
        ? await this.credits.walletCustomersOfBatch(batchId)
        : await this.credits.withWallets([...new Set(check.periods.map((p) => p.customerId))]);
    if (watched.length > 0) await this.execute(watched);
  }

  /** Computes, stores and checks the positions of these customers; returns them. */
  async execute(customerIds: readonly string[]): Promise<CreditPosition[]> {
    const { positions } = await this.positions.of(customerIds);
    await this.credits.writeEntitlements(positions.map(entitlementWrite));
    await this.levels.execute(positions);
    return positions;
  }
}
