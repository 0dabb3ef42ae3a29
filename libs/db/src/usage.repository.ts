import type { Pool } from 'pg';
import { DIMENSION_COLUMNS } from './pricing.repository';

export type UsageGroupBy = 'model' | 'charge' | 'day' | 'task' | 'feature';

const KEYS: Record<UsageGroupBy, string> = {
  model: 'model',
  charge: 'charge',
  day: "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  task: 'task_id',
  feature: 'feature',
};

export interface UsageGroupRow {
  key: string | null;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: Record<string, string>;
}

export interface AggregateRow {
  charge: string;
  events: string;
  provider_cost: string;
  rated_amount: string;
  tokens: Record<string, string>;
  period_start: Date;
}

const sums = DIMENSION_COLUMNS.map((d) => `coalesce(sum(${d}), 0)::text AS ${d}`).join(', ');

function tokensOf(row: Record<string, string>): Record<string, string> {
  return Object.fromEntries(DIMENSION_COLUMNS.map((d) => [d, row[d]]));
}

/** Live usage reads: priced events grouped as asked, and the period aggregates the invoice is made from. */
export class UsageRepository {
  constructor(private readonly pool: Pool) {}

  async customerId(organizationId: string, externalId: string): Promise<{ id: string; plan_code: string; billing_anchor: Date | null; discount: string; spend_cap: string | null } | null> {
    const res = await this.pool.query(
      'SELECT id, plan_code, billing_anchor, discount::text, spend_cap::text FROM customers WHERE organization_id = $1 AND external_id = $2',
      [organizationId, externalId],
    );
    return res.rows[0] ?? null;
  }

  async groups(customerId: string, from: Date, to: Date, groupBy: UsageGroupBy): Promise<UsageGroupRow[]> {
    const res = await this.pool.query(
      `SELECT ${KEYS[groupBy]} AS key, count(*)::text AS events, coalesce(sum(provider_cost), 0)::text AS provider_cost,
              coalesce(sum(rated_amount), 0)::text AS rated_amount, ${sums}
       FROM events WHERE customer_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND pricing_status = 'priced'
       GROUP BY 1 ORDER BY 1 NULLS LAST`,
      [customerId, from, to],
    );
    return res.rows.map((r) => ({ key: r.key, events: r.events, provider_cost: r.provider_cost, rated_amount: r.rated_amount, tokens: tokensOf(r) }));
  }

  /** Events in the range not priced yet: pending (in the pipeline) or unpriced (no rate). */
  async notPriced(customerId: string, from: Date, to: Date): Promise<{ pending: number; unpriced: number }> {
    const res = await this.pool.query(
      `SELECT count(*) FILTER (WHERE pricing_status = 'pending')::int AS pending, count(*) FILTER (WHERE pricing_status = 'unpriced')::int AS unpriced
       FROM events WHERE customer_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND pricing_status <> 'priced'`,
      [customerId, from, to],
    );
    return res.rows[0];
  }

  async aggregates(customerId: string, periodStart: Date): Promise<AggregateRow[]> {
    const res = await this.pool.query(
      `SELECT charge, events::text, provider_cost::text, rated_amount::text, period_start, ${DIMENSION_COLUMNS.map((d) => `${d}::text`).join(', ')}
       FROM usage_aggregates WHERE customer_id = $1 AND period_start = $2 AND events > 0`,
      [customerId, periodStart],
    );
    return res.rows.map((r) => ({ charge: r.charge, events: r.events, provider_cost: r.provider_cost, rated_amount: r.rated_amount, tokens: tokensOf(r), period_start: r.period_start }));
  }
}
