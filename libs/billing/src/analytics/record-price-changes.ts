import { Injectable, Logger } from '@nestjs/common';
import { AnalyticsRepository, Transactions, type ModelPeriodUsageRow, type PriceChangeRow } from '@tollgate/db';
import { Decimal, ZERO } from '@tollgate/money';
import { USAGE_DIMENSIONS, type Usage } from '@tollgate/pricing';
import { Clock } from '../clock';
import { PlanBook, versionForPeriod } from '../pricing/plan-book';
import { PublishWebhookEvent } from '../webhooks/publish-webhook-event';
import { chargeImpact, pricesOf } from './price-change-impact';
import { FoldRollups } from './fold-rollups';

/** Versions written this long ago or less are looked at: a run missed (a crash after a sync) is caught by the next. */
const LOOKBACK_HOURS = 24;

const dec = (d: Decimal) => d.toFixed();

/**
 * Provider price changes (docs/design.md "Analytics"): for every card version written lately whose prices differ
 * from the version before it, its impact on each affected organisation's customers' last complete period (cost
 * change, margin change), recorded once per organisation and version (`price_changes`' unique key) with
 * `rates.price_changed` in the same transaction. Run after every rate sync, approval and override; running it
 * again records nothing new.
 */
@Injectable()
export class RecordPriceChanges {
  private readonly logger = new Logger('PriceChanges');

  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly plans: PlanBook,
    private readonly transactions: Transactions,
    private readonly webhooks: PublishWebhookEvent,
    private readonly clock: Clock,
    private readonly fold: FoldRollups,
  ) {}

  async execute(): Promise<{ recorded: number }> {
    let recorded = 0;
    for (const change of await this.analytics.recentPriceChanges(LOOKBACK_HOURS)) {
      // The impact reads last period's usage from the rollups: the priced events it concerns in them first (every
      // organisation's for a list price; a fold with nothing pending is one short statement).
      if (change.scope === 'list') await this.fold.everything();
      else await this.fold.organization(change.scope);
      const rows = await this.analytics.lastPeriodUsageOfModel(
        change.scope === 'list' ? null : change.scope,
        change.provider,
        change.model,
        this.clock.now(),
      );
      const byOrg = new Map<string, ModelPeriodUsageRow[]>();
      for (const r of rows) byOrg.set(r.organization_id, [...(byOrg.get(r.organization_id) ?? []), r]);
      for (const [organizationId, usage] of byOrg) if (await this.record(organizationId, change, usage)) recorded++;
    }
    return { recorded };
  }

  /**
   * After prices changed (an override, an approved sync): the change itself committed, so a failure here is logged,
   * not thrown; the worker's next run after a rate sync (hourly, 24 hours back) records it.
   */
  async afterPricesChanged(): Promise<void> {
    await this.execute().catch((err: Error) =>
      this.logger.error({ msg: 'price change impacts not recorded now; the next rate sync run will', err: err.stack ?? err.message }),
    );
  }

  private async record(organizationId: string, change: PriceChangeRow, rows: ModelPeriodUsageRow[]): Promise<boolean> {
    const before = pricesOf(change.previous_prices);
    const after = pricesOf(change.prices);
    const versions = await this.plans.forCodes(organizationId, [...new Set(rows.map((r) => r.plan_code))]);
    const customers = new Map<string, { external: string; start: Date; before: Decimal; after: Decimal; revenue: Decimal }>();
    for (const r of rows) {
      const usage = Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, BigInt(r.tokens[d])])) as Usage;
      const plan = versionForPeriod(versions.get(r.plan_code) ?? [], r.period_end.getTime())?.plan;
      const impact = chargeImpact(usage, before, after, plan?.charges.find((c) => c.name === r.charge) ?? null, new Decimal(r.discount));
      if (!impact) continue;
      const c = customers.get(r.customer_id) ?? {
        external: r.external_id,
        start: r.period_start,
        before: ZERO,
        after: ZERO,
        revenue: ZERO,
      };
      customers.set(r.customer_id, {
        ...c,
        before: c.before.plus(impact.costBefore),
        after: c.after.plus(impact.costAfter),
        revenue: c.revenue.plus(impact.revenueChange),
      });
    }
    if (customers.size === 0) return false;
    let cost = ZERO;
    let margin = ZERO;
    const list = [...customers.values()].map((c) => {
      const costChange = c.after.minus(c.before);
      const marginChange = c.revenue.minus(costChange);
      cost = cost.plus(costChange);
      margin = margin.plus(marginChange);
      return {
        external_customer_id: c.external,
        period_start: c.start.toISOString(),
        cost_before: dec(c.before),
        cost_after: dec(c.after),
        cost_change: dec(costChange),
        revenue_change: dec(c.revenue),
        margin_change: dec(marginChange),
      };
    });
    list.sort(
      (a, b) => new Decimal(a.margin_change).comparedTo(b.margin_change) || a.external_customer_id.localeCompare(b.external_customer_id),
    );
    const published = await this.transactions.run(async (tx) => {
      const inserted = await this.analytics.insertPriceChange(tx, {
        organizationId,
        provider: change.provider,
        model: change.model,
        previousVersionId: change.previous_id,
        versionId: change.id,
        effectiveFrom: change.effective_from,
        pricesBefore: change.previous_prices,
        pricesAfter: change.prices,
        costChange: dec(cost),
        marginChange: dec(margin),
        customers: list,
      });
      if (!inserted) return null;
      return this.webhooks.publish(tx, {
        organizationId,
        type: 'rates.price_changed',
        subjectKey: `rate_card_version:${change.id}`,
        payload: {
          provider: change.provider,
          model: change.model,
          rate_card_version_id: change.id,
          previous_version_id: change.previous_id,
          effective_from: change.effective_from.toISOString(),
          cost_change: dec(cost),
          margin_change: dec(margin),
          customers: list.slice(0, 100),
        },
      });
    });
    if (published) await this.webhooks.dispatch(published);
    return published !== null;
  }
}
