import type { Pool, PoolClient } from 'pg';

// The pricing pipeline's SQL: set-based, one statement per batch, guarded so pricing twice changes nothing.

export const DIMENSION_COLUMNS = [
  'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'output_tokens',
  'reasoning_tokens', 'audio_input_tokens', 'audio_output_tokens', 'images', 'web_searches', 'requests',
] as const;

export interface EventToPriceRow {
  id: string;
  organization_id: string;
  customer_id: string;
  occurred_at: Date;
  received_at: Date;
  provider: string;
  model: string;
  reported_cost: string | null;
  /** The event's status: `usage_unknown` events are never priced. */
  status: string;
  /** DIMENSION_COLUMNS order, as integer strings. */
  usage: string[];
}

export interface CustomerPricingRow {
  id: string;
  plan_code: string;
  billing_anchor: Date | null;
}

export interface PricedRow {
  id: string;
  status: 'priced' | 'unpriced';
  reason: string | null;
  providerCost: string | null;
  ratedAmount: string | null;
  rateCardId: string | null;
  charge: string | null;
  planVersionId: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
}

const dims = DIMENSION_COLUMNS.join(', ');
const sums = DIMENSION_COLUMNS.map((d) => `sum(${d})`).join(', ');
const adds = DIMENSION_COLUMNS.map((d) => `${d} = usage_aggregates.${d} + excluded.${d}`).join(', ');

const WRITE_PRICED = `
WITH v AS (
  SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::uuid[], $7::text[], $8::uuid[],
    $9::timestamptz[], $10::timestamptz[])
    AS v(id, status, reason, provider_cost, rated_amount, rate_card_id, charge, plan_version_id, period_start, period_end)
), upd AS (
  UPDATE events e SET pricing_status = v.status, unpriced_reason = v.reason, provider_cost = v.provider_cost,
    rated_amount = v.rated_amount, rate_card_id = v.rate_card_id, charge = v.charge, plan_version_id = v.plan_version_id,
    period_start = v.period_start, priced_at = clock_timestamp()
  FROM v WHERE e.id = v.id AND e.pricing_status <> 'priced'
  RETURNING e.organization_id, e.customer_id, e.pricing_status, e.provider_cost, e.rated_amount, e.charge,
    e.period_start, v.period_end, ${DIMENSION_COLUMNS.map((d) => 'e.' + d).join(', ')}
), agg AS (
  INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost,
    rated_amount, ${dims}, updated_at)
  SELECT organization_id, customer_id, period_start, period_end, charge, count(*), sum(provider_cost), sum(rated_amount),
    ${sums}, now()
  FROM upd WHERE pricing_status = 'priced'
  GROUP BY organization_id, customer_id, period_start, period_end, charge
  ORDER BY customer_id, period_start, charge
  ON CONFLICT (customer_id, period_start, charge) DO UPDATE SET events = usage_aggregates.events + excluded.events,
    provider_cost = usage_aggregates.provider_cost + excluded.provider_cost,
    rated_amount = usage_aggregates.rated_amount + excluded.rated_amount, ${adds}, updated_at = now()
  RETURNING 1
)
SELECT (SELECT count(*) FROM upd WHERE pricing_status = 'priced')::int AS priced,
       (SELECT count(*) FROM upd WHERE pricing_status = 'unpriced')::int AS unpriced,
       (SELECT count(*) FROM agg)::int AS aggregates`;

const subs = DIMENSION_COLUMNS.map((d) => `${d} = a.${d} - o.${d}`).join(', ');

/** Un-prices events (back to pending), taking their amounts out of the aggregates, and reopens their batches. */
const RESET_PRICED = (filter: string) => `
WITH old AS (
  SELECT e.id, e.batch_id, e.customer_id, e.period_start, e.charge, e.provider_cost, e.rated_amount, ${DIMENSION_COLUMNS.map((d) => 'e.' + d).join(', ')}
  FROM events e WHERE ${filter} AND e.pricing_status = 'priced'
  ORDER BY e.id
  FOR UPDATE OF e
), sub AS (
  UPDATE usage_aggregates a SET events = a.events - o.n, provider_cost = a.provider_cost - o.provider_cost,
    rated_amount = a.rated_amount - o.rated_amount, ${subs}, updated_at = now()
  FROM (SELECT customer_id, period_start, charge, count(*) AS n, sum(provider_cost) AS provider_cost,
          sum(rated_amount) AS rated_amount, ${DIMENSION_COLUMNS.map((d) => `sum(${d}) AS ${d}`).join(', ')}
        FROM old GROUP BY customer_id, period_start, charge) o
  WHERE a.customer_id = o.customer_id AND a.period_start = o.period_start AND a.charge = o.charge
  RETURNING a.customer_id
), reset AS (
  UPDATE events e SET pricing_status = 'pending', unpriced_reason = NULL, provider_cost = NULL, rated_amount = NULL,
    rate_card_id = NULL, charge = NULL, plan_version_id = NULL, period_start = NULL, priced_at = NULL
  FROM old WHERE e.id = old.id
  RETURNING e.batch_id
)
UPDATE ingest_batches b SET priced_at = NULL WHERE b.id IN (SELECT DISTINCT batch_id FROM reset)
RETURNING b.id`;

export class PricingRepository {
  constructor(private readonly pool: Pool) {}

  /** Events of a batch not priced yet (pending, or unpriced for a missing rate). */
  async eventsToPrice(batchId: string): Promise<EventToPriceRow[]> {
    const res = await this.pool.query({
      text: `SELECT id, organization_id, customer_id, occurred_at, received_at, provider, model, reported_cost, status, ${dims}
             FROM events WHERE id = ANY((SELECT event_ids FROM ingest_batches WHERE id = $1)::int8[]) AND pricing_status <> 'priced'`,
      values: [batchId],
      rowMode: 'array',
    });
    return res.rows.map((r: unknown[]) => ({
      id: r[0] as string,
      organization_id: r[1] as string,
      customer_id: r[2] as string,
      occurred_at: r[3] as Date,
      received_at: r[4] as Date,
      provider: r[5] as string,
      model: r[6] as string,
      reported_cost: r[7] as string | null,
      status: r[8] as string,
      usage: r.slice(9) as string[],
    }));
  }

  async customers(ids: string[]): Promise<Map<string, CustomerPricingRow>> {
    const res = await this.pool.query('SELECT id, plan_code, billing_anchor FROM customers WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(res.rows.map((r: CustomerPricingRow) => [r.id, r]));
  }

  /** Writes a batch's pricing and adds the newly priced events to the aggregates, in one transaction. */
  async writePriced(batchId: string, rows: PricedRow[]): Promise<{ priced: number; unpriced: number }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query(WRITE_PRICED, [
        rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.reason), rows.map((r) => r.providerCost),
        rows.map((r) => r.ratedAmount), rows.map((r) => r.rateCardId), rows.map((r) => r.charge), rows.map((r) => r.planVersionId),
        rows.map((r) => r.periodStart), rows.map((r) => r.periodEnd),
      ]);
      await this.closeBatch(batchId, client);
      await client.query('COMMIT');
      return { priced: res.rows[0].priced, unpriced: res.rows[0].unpriced };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async closeBatch(batchId: string, db: Pool | PoolClient = this.pool): Promise<void> {
    await db.query(
      `UPDATE ingest_batches SET priced_at = now(),
         unpriced_count = (SELECT count(*) FROM events WHERE id = ANY(ingest_batches.event_ids) AND pricing_status = 'unpriced')
       WHERE id = $1`,
      [batchId],
    );
  }

  /** Customers on a plan code, for repricing after the plan changed. */
  async customersOnPlan(organizationId: string, planCode: string): Promise<CustomerPricingRow[]> {
    const res = await this.pool.query('SELECT id, plan_code, billing_anchor FROM customers WHERE organization_id = $1 AND plan_code = $2', [organizationId, planCode]);
    return res.rows;
  }

  /** Un-prices each customer's events at or after its `since`; returns the batches to price again. */
  async resetCustomers(organizationId: string, customerIds: string[], since: Date[]): Promise<string[]> {
    if (customerIds.length === 0) return [];
    return this.reset(
      `e.organization_id = $1 AND EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::timestamptz[]) AS x(customer_id, since)
         WHERE x.customer_id = e.customer_id AND e.occurred_at >= x.since)`,
      [organizationId, customerIds, since],
    );
  }

  /** Un-prices an organisation's events of one (provider, model) at or after `since` (e.g. a new override). */
  async resetModel(organizationId: string, provider: string, model: string, since: Date): Promise<string[]> {
    return this.reset(
      `e.organization_id = $1 AND e.occurred_at >= $4 AND (e.model = $3
         OR e.rate_card_id IN (SELECT id FROM rate_card_versions WHERE provider = $2 AND model = $3))`,
      [organizationId, provider, model, since],
    );
  }

  private async reset(filter: string, values: unknown[]): Promise<string[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query(RESET_PRICED(filter), values);
      await client.query('DELETE FROM usage_aggregates WHERE organization_id = $1 AND events = 0', [values[0]]);
      await client.query('COMMIT');
      return res.rows.map((r: { id: string }) => r.id);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Batches the sweeper must enqueue: never priced after `olderThanMs`, or holding unpriced events. */
  async batchesToSweep(olderThanMs: number, withUnpriced: boolean, limit = 10_000): Promise<string[]> {
    const res = await this.pool.query(
      `(SELECT id FROM ingest_batches WHERE priced_at IS NULL AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2)
       UNION
       (SELECT id FROM ingest_batches WHERE $3 AND priced_at IS NOT NULL AND unpriced_count > 0 ORDER BY created_at LIMIT $2)`,
      [olderThanMs / 1000, limit, withUnpriced],
    );
    return res.rows.map((r: { id: string }) => r.id);
  }
}
