import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { CreditsRepository } from '@tollgate/db';
import { Decimal, formatAmount } from '@tollgate/money';
import type { EntitlementReason } from '@tollgate/pricing';
import { Clock } from '../clock';
import { RefreshEntitlements } from '../credits/refresh-entitlements';
import { NotFoundError } from '../errors';

export interface EntitlementView {
  allowed: boolean;
  reason?: EntitlementReason;
  ongoing_balance: string;
  period_usage: string;
  spend_cap?: string;
}

function view(e: {
  allowed: boolean;
  reason: string | null;
  currency: string;
  ongoing_balance: string;
  period_usage: string;
  spend_cap: string | null;
}): EntitlementView {
  return {
    allowed: e.allowed,
    ...(e.allowed || e.reason === null ? {} : { reason: e.reason as EntitlementReason }),
    ongoing_balance: formatAmount(new Decimal(e.ongoing_balance), e.currency),
    period_usage: formatAmount(new Decimal(e.period_usage), e.currency),
    ...(e.spend_cap === null ? {} : { spend_cap: new Decimal(e.spend_cap).toFixed() }),
  };
}

/**
 * Whether the customer may make another model call now (docs/api.md "Usage, preview, entitlement"): refused when
 * its plan is prepaid and its ongoing balance is not above zero (`credits_exhausted`), or its period usage reached
 * its spending cap (`spend_cap_reached`). On the hot path of every agent call, so it is answered from the
 * entitlement cache, one indexed read, which pricing keeps current after every batch (RefreshEntitlements); a
 * missing or stale row (credits or invoices changed since, the customer changed, its period ended, older than
 * ENTITLEMENT_MAX_AGE_SECONDS) is computed now through the preview's computation and stored.
 */
@Injectable()
export class CheckEntitlement {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly refresh: RefreshEntitlements,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }): Promise<EntitlementView> {
    const cached = await this.credits.entitlement(organizationId, externalId, this.clock.now(), this.config.entitlementMaxAgeMs);
    if (cached === null) throw new NotFoundError(`customer "${externalId}" not found`);
    if (cached.fresh) return view(cached as Parameters<typeof view>[0]);
    // Pricing refreshes the customers that have a wallet: from now on this one is among them.
    await this.credits.ensureWallets(this.credits.reader, [cached.customer_id]);
    const [p] = await this.refresh.execute([cached.customer_id]);
    if (p === undefined) throw new NotFoundError(`the plan of customer "${externalId}" has no version to compute its entitlement with`);
    return view({
      allowed: p.entitlement.allowed,
      reason: p.entitlement.allowed ? null : p.entitlement.reason,
      currency: p.currency,
      ongoing_balance: p.ongoingBalance.toFixed(),
      period_usage: p.periodUsage.toFixed(),
      spend_cap: p.spendCap === null ? null : p.spendCap.toFixed(),
    });
  }
}
