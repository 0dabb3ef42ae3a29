import { Injectable } from '@nestjs/common';
import { CreditsRepository, type EntitlementWrite } from '@tollgate/db';
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
 * Keeps the entitlement cache current (docs/design.md "Credits"): computes the positions of customers in a handful
 * of statements, stores them (never over a later one) and checks their credit levels (top-ups, credits.* alerts).
 * After a grant, an expiry, a top-up rule, on a read that finds the cache stale, and in the refresher's rounds
 * (RefreshStaleEntitlements) for the wallet customers that pricing marked stale (entitlement_refreshes).
 */
@Injectable()
export class RefreshEntitlements {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly positions: CreditPositions,
    private readonly levels: CheckCreditLevels,
  ) {}

  /** Computes, stores and checks the positions of these customers; returns them. */
  async execute(customerIds: readonly string[]): Promise<CreditPosition[]> {
    const { positions } = await this.positions.of(customerIds);
    await this.credits.writeEntitlements(positions.map(entitlementWrite));
    await this.levels.execute(positions);
    return positions;
  }
}
