import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { DB_POOL } from './tokens';

// Live usage reads. Raw SQL, not Prisma: sums over a customer's priced events (grouped by an expression such
// as the UTC day) and the aggregates' dimension columns, all from USAGE_DIMENSIONS, as exact numeric text.

export type UsageGroupBy = 'model' | 'charge' | 'day' | 'task' | 'feature';

const KEYS: Record<UsageGroupBy, string> = {
  model: 'model',
  charge: 'charge',
  day: "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  task: 'task_id',
  feature: 'feature',
};

/** Counts and money as exact decimal text. */
export interface UsageGroupRow {
  key: string | null;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: Record<UsageDimension, string>;
}

export interface AggregateRow {
  charge: string;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: Record<UsageDimension, string>;
  period_start: Date;
}

type WithTokens<T> = Omit<T, 'tokens'> & { tokens: string[] };

const tokenSums = `ARRAY[${USAGE_DIMENSIONS.map((d) => `coalesce(sum(${d}), 0)`).join(', ')}]::text[] AS tokens`;
const tokenColumns = `ARRAY[${USAGE_DIMENSIONS.join(', ')}]::text[] AS tokens`;

function tokensOf(values: readonly string[]): Record<UsageDimension, string> {
  const tokens = {} as Record<UsageDimension, string>;
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) tokens[USAGE_DIMENSIONS[d]] = values[d];
  return tokens;
}

@Injectable()
export class UsageRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  async groups(customerId: string, from: Date, to: Date, groupBy: UsageGroupBy): Promise<UsageGroupRow[]> {
    const res = await this.pool.query<WithTokens<UsageGroupRow>>(
      `SELECT ${KEYS[groupBy]} AS key, count(*)::text AS events, coalesce(sum(provider_cost), 0)::text AS provider_cost,
              coalesce(sum(rated_amount), 0)::text AS rated_amount, ${tokenSums}
       FROM events WHERE customer_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND pricing_status = 'priced'
       GROUP BY 1 ORDER BY 1 NULLS LAST`,
      [customerId, from, to],
    );
    return res.rows.map((r) => ({ ...r, tokens: tokensOf(r.tokens) }));
  }

  /** Events in the range not priced yet: pending (in the pipeline) or unpriced (no rate, or quarantined). */
  async notPriced(customerId: string, from: Date, to: Date): Promise<{ pending: number; unpriced: number }> {
    const res = await this.pool.query<{ pending: number; unpriced: number }>(
      `SELECT count(*) FILTER (WHERE pricing_status = 'pending')::int AS pending, count(*) FILTER (WHERE pricing_status = 'unpriced')::int AS unpriced
       FROM events WHERE customer_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND pricing_status <> 'priced'`,
      [customerId, from, to],
    );
    return res.rows[0];
  }

  /** The customer's aggregates of the period starting at `periodStart`: what its invoice is made from. */
  async aggregates(customerId: string, periodStart: Date): Promise<AggregateRow[]> {
    const res = await this.pool.query<WithTokens<AggregateRow>>(
      `SELECT charge, events::text, provider_cost::text, rated_amount::text, period_start, ${tokenColumns}
       FROM usage_aggregates WHERE customer_id = $1 AND period_start = $2 AND events > 0`,
      [customerId, periodStart],
    );
    return res.rows.map((r) => ({ ...r, tokens: tokensOf(r.tokens) }));
  }

  /** The aggregates of several (customer, period) pairs at once (the i-th customer's period starting at the i-th start). */
  async aggregatesOfPeriods(
    customerIds: readonly string[],
    periodStarts: readonly Date[],
  ): Promise<(AggregateRow & { customer_id: string })[]> {
    if (customerIds.length === 0) return [];
    const res = await this.pool.query<WithTokens<AggregateRow & { customer_id: string }>>(
      `SELECT a.customer_id::text, charge, events::text, provider_cost::text, rated_amount::text, a.period_start, ${tokenColumns}
       FROM usage_aggregates a JOIN unnest($1::uuid[], $2::timestamptz[]) AS p(customer_id, period_start)
         ON a.customer_id = p.customer_id AND a.period_start = p.period_start
       WHERE events > 0`,
      [customerIds, periodStarts],
    );
    return res.rows.map((r) => ({ ...r, tokens: tokensOf(r.tokens) }));
  }
}
