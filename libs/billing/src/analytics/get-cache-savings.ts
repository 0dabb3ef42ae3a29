import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type CacheRow } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { Clock } from '../clock';
import { resolveRange } from './analytics-range';
import { FoldRollups } from './fold-rollups';

export interface CacheSavingsQuery {
  organizationId: string;
  from?: Date;
  to?: Date;
  /** How many customer and model groups, most saved first. */
  limit: number;
}

const n = (v: string | null) => BigInt(v ?? '0');

/**
 * Prompt-cache figures (docs/design.md "Analytics"): what cache reads saved against the uncached input price, what
 * cache writes cost above it, the net, and the hit rate: cache reads over the prompt's tokens (fresh input, cache
 * reads and writes).
 */
export function cacheJson(r: CacheRow) {
  const saved = new Decimal(r.cache_read_savings ?? '0');
  const extra = new Decimal(r.cache_write_extra ?? '0');
  const reads = n(r.cache_read_tokens);
  const prompt = n(r.input_tokens) + reads + n(r.cache_write_tokens) + n(r.cache_write_1h_tokens);
  return {
    input_tokens: Number(n(r.input_tokens)),
    cache_read_tokens: Number(reads),
    cache_write_tokens: Number(n(r.cache_write_tokens)),
    cache_write_1h_tokens: Number(n(r.cache_write_1h_tokens)),
    read_savings: saved.toFixed(),
    write_extra_cost: extra.toFixed(),
    net_savings: saved.minus(extra).toFixed(),
    hit_rate:
      prompt === 0n ? '0.0000' : new Decimal(reads.toString()).div(prompt.toString()).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4),
  };
}

/** GET /v1/analytics/cache_savings: per customer and model, per day (the hit rate over time), and in total. */
@Injectable()
export class GetCacheSavings {
  constructor(
    private readonly analytics: AnalyticsRepository,
    private readonly clock: Clock,
    private readonly fold: FoldRollups,
  ) {}

  async execute({ organizationId, limit, ...range }: CacheSavingsQuery) {
    await this.fold.organization(organizationId);
    const { from, to } = resolveRange(this.clock.now(), range.from, range.to);
    const { groups, days, totals } = await this.analytics.cacheSavings(organizationId, from, to, limit);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groups: groups.map((g) => ({ external_customer_id: g.external_customer_id!, model: g.model!, ...cacheJson(g) })),
      days: days.map((d) => ({ day: d.day!, ...cacheJson(d) })),
      totals: cacheJson(totals),
    };
  }
}
