import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type AnalyticsDimension } from '@tollgate/db';
import { Decimal, halfAwayFromZero } from '@tollgate/money';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { Clock } from '../clock';
import { resolveRange } from './analytics-range';
import { scaledWeight } from './allocate';
import { attributeRevenue, compareKeys, groupId, MILLI } from './attribute-revenue';
import { FoldRollups } from './fold-rollups';
import { RefreshRevenueShares } from './refresh-revenue-shares';

export interface MarginReportQuery {
  organizationId: string;
  /** Default: 30 days before `to`. */
  from?: Date;
  /** Default: the end of today (UTC). */
  to?: Date;
  /** One or two dimensions. */
  groupBy: readonly AnalyticsDimension[];
}

/** One group's figures, exact: counts and the provider cost as Postgres summed them, revenue in thousandths. */
export interface MarginFigures {
  events: string;
  tokens: Record<UsageDimension, string>;
  providerCost: string;
  /** In thousandths of the currency unit (MILLI). */
  revenue: bigint;
}

export interface MarginGroup extends MarginFigures {
  keys: (string | null)[];
}

/** The keys stored revenue shares are kept by (analytics_periods' dimensions). */
const SHARE_DIMENSIONS: readonly AnalyticsDimension[] = ['customer', 'model', 'provider', 'charge'];

const NO_TOKENS = Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, '0'])) as Record<UsageDimension, string>;

/** An integer scaled by 10^places as a decimal string without trailing zeros (as Decimal#toFixed() writes it). */
function scaledToString(v: bigint, places: number): string {
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(places + 1, '0');
  const fraction = digits.slice(-places).replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -places)}${fraction ? `.${fraction}` : ''}`;
}

/** Thousandths as a decimal string without trailing zeros. */
export const milliString = (milli: bigint): string => scaledToString(milli, MILLI);

/** margin = revenue − provider cost; margin % of revenue, to 2 places (half away from zero); none without revenue. */
export function marginOf(f: { providerCost: Decimal; revenue: Decimal }): { margin: Decimal; marginPct: Decimal | null } {
  const margin = f.revenue.minus(f.providerCost);
  return { margin, marginPct: f.revenue.isZero() ? null : halfAwayFromZero(margin.div(f.revenue).times(100), 2) };
}

const PLACES = 30;
const MILLI_TO_SCALED = 10n ** BigInt(PLACES - MILLI);

/**
 * marginOf on a report group's figures, in integers (exact, and far cheaper than decimal division for tens of
 * thousands of groups): the provider cost as Postgres summed it (at most 30 places), revenue in thousandths.
 * The same strings as marginOf's toFixed() and toFixed(2).
 */
export function marginStrings(providerCost: string, revenueMilli: bigint): { margin: string; marginPct: string | null } {
  const revenue = revenueMilli * MILLI_TO_SCALED;
  const margin = revenue - scaledWeight(providerCost);
  if (revenue === 0n) return { margin: scaledToString(margin, PLACES), marginPct: null };
  // margin / revenue × 100 to 2 places, half away from zero: in hundredths of a percent.
  const n = (margin < 0n ? -margin : margin) * 10_000n;
  const d = revenue < 0n ? -revenue : revenue;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  const negative = q !== 0n && margin < 0n !== revenue < 0n;
  const digits = q.toString().padStart(3, '0');
  return { margin: scaledToString(margin, PLACES), marginPct: `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}` };
}

export const figuresJson = (f: MarginFigures) => {
  const { margin, marginPct } = marginStrings(f.providerCost, f.revenue);
  const tokens: Record<string, number> = {};
  for (const d of USAGE_DIMENSIONS) tokens[d] = Number(f.tokens[d]);
  return {
    events: Number(f.events),
    tokens,
    provider_cost: f.providerCost,
    revenue: milliString(f.revenue),
    margin,
    margin_pct: marginPct,
  };
};

/**
 * The margin of a range's usage per group (docs/api.md "Analytics"): its priced usage and provider cost from the
 * rollups, and the revenue its invoices billed for it, attributed below the invoice (docs/design.md "Analytics").
 * Grouped by customer, model, provider or charge over a range that cuts no period, from the stored revenue shares;
 * otherwise attributed for the range.
 */
@Injectable()
export class MarginGroups {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly fold: FoldRollups,
    private readonly shares: RefreshRevenueShares,
  ) {}

  async groups(organizationId: string, from: Date, to: Date, groupBy: readonly AnalyticsDimension[]) {
    await this.fold.organization(organizationId);
    if (
      groupBy.length > 0 &&
      groupBy.every((k) => SHARE_DIMENSIONS.includes(k)) &&
      !(await this.analytics.cutsPeriods(organizationId, from, to))
    )
      return this.fromShares(organizationId, from, to, groupBy);
    return this.attributed(organizationId, from, to, groupBy);
  }

  /** Any keys, any range: the range's invoices attributed now (the rollups folded already). */
  async attributed(organizationId: string, from: Date, to: Date, groupBy: readonly AnalyticsDimension[]) {
    const [usage, lines] = await Promise.all([
      this.analytics.marginCells(organizationId, from, to, groupBy),
      this.analytics.attributionLines(organizationId, from, to),
    ]);
    const { revenue, keys, currencies } = attributeRevenue(usage.cells, lines, groupBy);
    const groups = new Map<string, MarginGroup>();
    for (const g of usage.groups) {
      const id = groupId(g.keys);
      groups.set(id, { keys: g.keys, events: g.events, tokens: g.tokens, providerCost: g.provider_cost, revenue: revenue.get(id) ?? 0n });
    }
    let revenueTotal = 0n;
    for (const [id, amount] of revenue) {
      revenueTotal += amount;
      if (!groups.has(id)) groups.set(id, { keys: keys.get(id)!, events: '0', tokens: NO_TOKENS, providerCost: '0', revenue: amount });
    }
    const t = usage.totals;
    const totals: MarginFigures = t
      ? { events: t.events, tokens: t.tokens, providerCost: t.provider_cost, revenue: revenueTotal }
      : { events: '0', tokens: NO_TOKENS, providerCost: '0', revenue: revenueTotal };
    const sorted = [...groups.values()].sort((a, b) => compareKeys(a.keys, b.keys));
    return { groups: sorted, totals, currencies: [...currencies].sort() };
  }

  /** Whole periods only: their usage, and the revenue shares stored for them (computed again where stale). */
  private async fromShares(organizationId: string, from: Date, to: Date, groupBy: readonly AnalyticsDimension[]) {
    await this.shares.organization(organizationId);
    const read = await this.analytics.marginFromShares(organizationId, from, to, groupBy);
    const figures = (r: (typeof read)['totals']): MarginFigures => ({
      events: r.events,
      tokens: r.tokens,
      providerCost: r.provider_cost,
      revenue: BigInt(r.revenue),
    });
    const groups: MarginGroup[] = read.groups.map((g) => ({ keys: g.keys, ...figures(g) }));
    groups.sort((a, b) => compareKeys(a.keys, b.keys));
    return { groups, totals: figures(read.totals), currencies: [...read.currencies].sort() };
  }
}

/** GET /v1/analytics/margin. */
@Injectable()
export class GetMarginReport {
  constructor(
    private readonly margins: MarginGroups,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, groupBy, ...range }: MarginReportQuery) {
    const { from, to } = resolveRange(this.clock.now(), range.from, range.to);
    const { groups, totals, currencies } = await this.margins.groups(organizationId, from, to, groupBy);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      group_by: [...groupBy],
      currencies,
      groups: groups.map((g) => ({ key: Object.fromEntries(groupBy.map((d, i) => [d, g.keys[i]])), ...figuresJson(g) })),
      totals: figuresJson(totals),
    };
  }
}
