import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type AnalyticsDimension, type MarginCellRow } from '@tollgate/db';
import { Decimal, halfAwayFromZero, ZERO } from '@tollgate/money';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { Clock } from '../clock';
import { resolveRange } from './analytics-range';
import { attributeRevenue, groupId, MILLI } from './attribute-revenue';
import { FoldRollups } from './fold-rollups';

export interface MarginReportQuery {
  organizationId: string;
  /** Default: 30 days before `to`. */
  from?: Date;
  /** Default: the end of today (UTC). */
  to?: Date;
  /** One or two dimensions. */
  groupBy: readonly AnalyticsDimension[];
}

/** One group's figures, exact (revenue in the invoices' minor units, cost unrounded). */
export interface MarginFigures {
  events: bigint;
  tokens: Record<UsageDimension, bigint>;
  providerCost: Decimal;
  revenue: Decimal;
}

export interface MarginGroup extends MarginFigures {
  keys: (string | null)[];
}

const emptyFigures = (): MarginFigures => ({
  events: 0n,
  tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, 0n])) as Record<UsageDimension, bigint>,
  providerCost: ZERO,
  revenue: ZERO,
});

function addCell(f: MarginFigures, c: MarginCellRow): void {
  f.events += BigInt(c.events);
  f.providerCost = f.providerCost.plus(c.provider_cost);
  for (const d of USAGE_DIMENSIONS) f.tokens[d] += BigInt(c.tokens[d]);
}

/** margin = revenue − provider cost; margin % of revenue, to 2 places (half away from zero); none without revenue. */
export function marginOf(f: Pick<MarginFigures, 'providerCost' | 'revenue'>): { margin: Decimal; marginPct: Decimal | null } {
  const margin = f.revenue.minus(f.providerCost);
  return { margin, marginPct: f.revenue.isZero() ? null : halfAwayFromZero(margin.div(f.revenue).times(100), 2) };
}

export const figuresJson = (f: MarginFigures) => {
  const { margin, marginPct } = marginOf(f);
  return {
    events: Number(f.events),
    tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, Number(f.tokens[d])])),
    provider_cost: f.providerCost.toFixed(),
    revenue: f.revenue.toFixed(),
    margin: margin.toFixed(),
    margin_pct: marginPct === null ? null : marginPct.toFixed(2),
  };
};

/**
 * The margin of a range's usage per group (docs/api.md "Analytics"): its priced usage and provider cost from the
 * rollups, and the revenue its invoices billed for it, attributed below the invoice (docs/design.md "Analytics").
 */
@Injectable()
export class MarginGroups {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly fold: FoldRollups,
  ) {}

  async groups(organizationId: string, from: Date, to: Date, groupBy: readonly AnalyticsDimension[]) {
    await this.fold.organization(organizationId);
    const [cells, lines] = await Promise.all([
      this.analytics.marginCells(organizationId, from, to, groupBy),
      this.analytics.attributionLines(organizationId, from, to),
    ]);
    const { revenue, keys, currencies } = attributeRevenue(cells, lines, groupBy);
    const groups = new Map<string, MarginGroup>();
    const group = (k: (string | null)[]) => {
      const id = groupId(k);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { keys: k, ...emptyFigures() }));
      return g;
    };
    for (const c of cells) if (c.in_range) addCell(group(c.keys), c);
    const scale = new Decimal(10).pow(MILLI);
    for (const [id, amount] of revenue) group(keys.get(id)!).revenue = new Decimal(amount.toString()).div(scale);
    const totals = emptyFigures();
    for (const g of groups.values()) {
      totals.events += g.events;
      totals.providerCost = totals.providerCost.plus(g.providerCost);
      totals.revenue = totals.revenue.plus(g.revenue);
      for (const d of USAGE_DIMENSIONS) totals.tokens[d] += g.tokens[d];
    }
    const sorted = [...groups.values()].sort((a, b) => compareKeys(a.keys, b.keys));
    return { groups: sorted, totals, currencies: [...currencies].sort() };
  }
}

function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === null) return 1;
    if (b[i] === null) return -1;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
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
