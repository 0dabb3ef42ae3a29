import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { CreditsRepository } from '@tollgate/db';
import { Clock } from '../clock';
import { RefreshEntitlements } from '../credits/refresh-entitlements';
import { NotFoundError } from '../errors';
import { EntitlementCache } from './entitlement-cache';
import { ENTITLEMENT_METRICS, type EntitlementMetrics } from './entitlement-metrics';
import { entitlementView, type EntitlementFigures, type EntitlementView } from './entitlement-view';

export type { EntitlementView } from './entitlement-view';

/**
 * Whether the customer may make another model call now (docs/api.md "Usage, preview, entitlement"): refused when
 * its plan is prepaid and its ongoing balance is not above zero (`credits_exhausted`), or its period usage reached
 * its spending cap (`spend_cap_reached`). On the hot path of every agent call, so it is answered from the
 * entitlement cache, one indexed read, which pricing keeps current after every batch (RefreshEntitlements); a
 * missing or stale row (credits or invoices changed since, the customer changed, its period ended, older than
 * ENTITLEMENT_MAX_AGE_SECONDS) is computed now through the preview's computation and stored. In the api, an
 * in-process cache (EntitlementCache) answers first, without reading Postgres.
 */
@Injectable()
export class CheckEntitlement {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly refresh: RefreshEntitlements,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @Optional() private readonly memory?: EntitlementCache,
    @Optional() @Inject(ENTITLEMENT_METRICS) private readonly metrics?: EntitlementMetrics,
  ) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }): Promise<EntitlementView> {
    const held = this.memory?.get(organizationId, externalId);
    if (held !== undefined) {
      this.metrics?.entitlementChecked('memory');
      return held;
    }
    const ticket = this.memory?.ticket() ?? 0;
    const cached = await this.credits.entitlement(organizationId, externalId, this.clock.now(), this.config.entitlementMaxAgeMs);
    if (cached === null) throw new NotFoundError(`customer "${externalId}" not found`);
    if (cached.fresh) {
      const answer = entitlementView(cached as EntitlementFigures);
      this.memory?.keep(ticket, organizationId, externalId, {
        customerId: cached.customer_id,
        view: answer,
        periodEnd: cached.period_end!,
        ageMs: cached.age_ms!,
      });
      this.metrics?.entitlementChecked('stored');
      return answer;
    }
    // Pricing refreshes the customers that have a wallet: from now on this one is among them.
    await this.credits.ensureWallets(this.credits.reader, [cached.customer_id]);
    const [p] = await this.refresh.execute([cached.customer_id]);
    if (p === undefined) throw new NotFoundError(`the plan of customer "${externalId}" has no version to compute its entitlement with`);
    const answer = entitlementView({
      allowed: p.entitlement.allowed,
      reason: p.entitlement.allowed ? null : p.entitlement.reason,
      currency: p.currency,
      ongoing_balance: p.ongoingBalance.toFixed(),
      period_usage: p.periodUsage.toFixed(),
      spend_cap: p.spendCap === null ? null : p.spendCap.toFixed(),
    });
    this.memory?.keep(ticket, organizationId, externalId, { customerId: p.customerId, view: answer, periodEnd: p.period.end, ageMs: 0 });
    this.metrics?.entitlementChecked('computed');
    return answer;
  }
}
