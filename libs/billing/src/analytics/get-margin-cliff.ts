import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type PeriodUsageRow } from '@tollgate/db';
import { Decimal, ZERO } from '@tollgate/money';
import { computeInvoice, emptyUsage, USAGE_DIMENSIONS, type ChargeAggregate } from '@tollgate/pricing';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { PlanBook, versionForPeriod } from '../pricing/plan-book';
import { belowTarget, marginDrivers, marginFix, type Driver, type ModelUsage } from './cliff-rules';
import { marginOf } from './get-margin-report';
import { FoldRollups } from './fold-rollups';

export interface CliffEntry {
  customerId: string;
  externalCustomerId: string;
  /** current: the period under way, projected to its end from the run rate; last: the latest period ended. */
  basis: 'current' | 'last';
  periodStart: Date;
  periodEnd: Date;
  providerCost: Decimal;
  revenue: Decimal;
  /** The share of the period elapsed (current), 1 for the last period. */
  elapsed: Decimal;
  moneyAtRisk: Decimal;
  drivers: Driver[];
  fix: { revenue_needed: string; margin_floor: string; markup: string | null };
}

interface Period {
  start: Date;
  end: Date;
  rank: number;
  rows: PeriodUsageRow[];
}

const key = (customerId: string, start: Date) => `${customerId}|${start.getTime()}`;

function modelUsage(rows: readonly PeriodUsageRow[]): ModelUsage[] {
  return rows.map((r) => ({
    model: r.model,
    providerCost: new Decimal(r.provider_cost),
    retryProviderCost: new Decimal(r.retry_provider_cost),
    tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, BigInt(r.tokens[d])])) as ModelUsage['tokens'],
  }));
}

/** Per charge, scaled by `by` (a projection to the period's end). */
function chargeAggregates(rows: readonly PeriodUsageRow[], by: Decimal): ChargeAggregate[] {
  const byCharge = new Map<string, { events: bigint; cost: Decimal; rated: Decimal }>();
  for (const r of rows) {
    const a = byCharge.get(r.charge) ?? { events: 0n, cost: ZERO, rated: ZERO };
    byCharge.set(r.charge, {
      events: a.events + BigInt(r.events),
      cost: a.cost.plus(r.provider_cost),
      rated: a.rated.plus(r.rated_amount),
    });
  }
  return [...byCharge].map(([charge, a]) => ({
    charge,
    events: a.events,
    provider_cost: a.cost.times(by),
    rated_amount: a.rated.times(by),
    tokens: emptyUsage(),
  }));
}

/**
 * The margin-cliff report (docs/api.md "Analytics"): customers whose margin in the current period (projected to its
 * end from the run rate) or in the last period is below the organisation's target, by money at risk (the revenue
 * missing to reach the target), each with its drivers and the policy that would fix it.
 */
@Injectable()
export class MarginCliff {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly plans: PlanBook,
    private readonly fold: FoldRollups,
  ) {}

  async entries(organizationId: string, now: Date): Promise<{ target: Decimal; entries: CliffEntry[] }> {
    await this.fold.organization(organizationId);
    const targetText = await this.analytics.targetMargin(organizationId);
    if (targetText === null) throw new NotFoundError('organisation not found');
    const target = new Decimal(targetText);
    const rows = await this.analytics.latestPeriods(organizationId, now);
    const customers = new Map<string, { external: string; plan: string; discount: Decimal; periods: Map<number, Period> }>();
    for (const r of rows) {
      let c = customers.get(r.customer_id);
      if (!c)
        customers.set(
          r.customer_id,
          (c = { external: r.external_id, plan: r.plan_code, discount: new Decimal(r.discount), periods: new Map() }),
        );
      let p = c.periods.get(r.rank);
      if (!p) c.periods.set(r.rank, (p = { start: r.period_start, end: r.period_end, rank: r.rank, rows: [] }));
      p.rows.push(r);
    }
    const ids: string[] = [];
    const starts: Date[] = [];
    for (const [id, c] of customers)
      for (const p of c.periods.values()) {
        ids.push(id);
        starts.push(p.start);
      }
    const [invoiceTotals, versions] = await Promise.all([
      this.analytics.periodInvoiceTotals(ids, starts),
      this.plans.forCodes(organizationId, [...new Set([...customers.values()].map((c) => c.plan))]),
    ]);

    const entries: CliffEntry[] = [];
    for (const [id, c] of customers) {
      const ranked = [...c.periods.values()].sort((a, b) => a.rank - b.rank);
      const current = ranked[0]?.end > now ? ranked[0] : null;
      const last = ranked.find((p) => p.end <= now) ?? null;
      for (const period of [current, last]) {
        if (!period) continue;
        const before = ranked.find((p) => p.rank === period.rank + 1) ?? null;
        const span = period.end.getTime() - period.start.getTime();
        const elapsedMs = period === current ? Math.max(1, now.getTime() - period.start.getTime()) : span;
        const elapsed = new Decimal(elapsedMs).div(span);
        const scale = new Decimal(span).div(elapsedMs);
        const cost = period.rows.reduce((s, r) => s.plus(r.provider_cost), ZERO).times(scale);
        const billed = period === last ? invoiceTotals.get(key(id, period.start)) : undefined;
        let revenue: Decimal;
        if (billed !== undefined) revenue = new Decimal(billed);
        else {
          const version = versionForPeriod(versions.get(c.plan) ?? [], period.end.getTime());
          if (!version) continue;
          revenue = computeInvoice({
            plan: version.plan,
            usage: chargeAggregates(period.rows, scale),
            late_usage: [],
            discount: c.discount,
            coupons: [],
            grants: [],
            as_of: now,
          }).subtotal;
        }
        if (!belowTarget(revenue, cost, target)) continue;
        const fix = marginFix(cost, target, c.discount);
        entries.push({
          customerId: id,
          externalCustomerId: c.external,
          basis: period === current ? 'current' : 'last',
          periodStart: period.start,
          periodEnd: period.end,
          providerCost: cost,
          revenue,
          elapsed,
          moneyAtRisk: fix.revenueNeeded.minus(revenue),
          drivers: marginDrivers(modelUsage(period.rows), before ? modelUsage(before.rows) : null),
          fix: {
            revenue_needed: fix.revenueNeeded.toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2),
            margin_floor: fix.marginFloor.toFixed(),
            markup: fix.markup === null ? null : fix.markup.toFixed(),
          },
        });
      }
    }
    entries.sort((a, b) => b.moneyAtRisk.comparedTo(a.moneyAtRisk) || a.externalCustomerId.localeCompare(b.externalCustomerId));
    return { target, entries };
  }
}

export function cliffEntryJson(e: CliffEntry) {
  const { margin, marginPct } = marginOf({ providerCost: e.providerCost, revenue: e.revenue });
  const places = (d: Decimal) => d.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
  return {
    external_customer_id: e.externalCustomerId,
    basis: e.basis,
    period_start: e.periodStart.toISOString(),
    period_end: e.periodEnd.toISOString(),
    elapsed: e.elapsed.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(),
    provider_cost: places(e.providerCost),
    revenue: places(e.revenue),
    margin: places(margin),
    margin_pct: marginPct === null ? null : marginPct.toFixed(2),
    money_at_risk: e.moneyAtRisk.toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2),
    drivers: e.drivers,
    fix: e.fix,
  };
}

/** GET /v1/analytics/margin_cliff. */
@Injectable()
export class GetMarginCliff {
  constructor(
    private readonly cliff: MarginCliff,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId }: { organizationId: string }) {
    const now = this.clock.now();
    const { target, entries } = await this.cliff.entries(organizationId, now);
    return { as_of: now.toISOString(), target_margin: target.toFixed(), customers: entries.map(cliffEntryJson) };
  }
}
