import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { emptyUsage, USAGE_DIMENSIONS, type Usage } from '@tollgate/pricing';
import type { Tx } from './database';
import { takeOutOfRollups } from './analytics-rollups.repository';
import { MARK_PRICED_STALE } from './credits.repository';
import { BILLING_LOCK } from './invoices.repository';
import { uuidArray } from './pg-binary-array';
import { DB_POOL } from './tokens';

// The pricing pipeline's SQL. Raw SQL, not Prisma: each step is one set-based statement per batch (an UPDATE
// from unnest arrays feeding an aggregate upsert in the same statement), guarded by the events' pricing_status
// so pricing twice changes nothing; Prisma would make it one query per event. The usage columns come from
// USAGE_DIMENSIONS.

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
  usage: Usage;
}

export interface CustomerPricingRow {
  id: string;
  plan_code: string;
  billing_anchor: Date | null;
}

/** What a pricing run read before pricing: its write commits only if no repricing reset came in between. */
export interface PricingGuard {
  organizationId: string;
  /** organizations.pricing_epoch, as text (int8). */
  epoch: string;
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

const list = (f: (d: string) => string, sep = ', ') => USAGE_DIMENSIONS.map(f).join(sep);

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
  RETURNING e.id, e.organization_id, e.customer_id, e.pricing_status, e.provider_cost, e.rated_amount, e.charge,
    e.period_start, v.period_end, ${list((d) => `e.${d}`)}
), agg AS (
  INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost,
    rated_amount, ${list((d) => d)}, updated_at)
  SELECT organization_id, customer_id, period_start, period_end, charge, count(*), sum(provider_cost), sum(rated_amount),
    ${list((d) => `sum(${d})`)}, now()
  FROM upd WHERE pricing_status = 'priced'
  GROUP BY organization_id, customer_id, period_start, period_end, charge
  ORDER BY customer_id, period_start, charge
  ON CONFLICT (customer_id, period_start, charge) DO UPDATE SET events = usage_aggregates.events + excluded.events,
    provider_cost = usage_aggregates.provider_cost + excluded.provider_cost,
    rated_amount = usage_aggregates.rated_amount + excluded.rated_amount,
    ${list((d) => `${d} = usage_aggregates.${d} + excluded.${d}`)}, updated_at = now()
  RETURNING 1
), pending_rollup AS (
  INSERT INTO rollup_pending (organization_id, event_ids)
  SELECT organization_id, array_agg(id) FROM upd WHERE pricing_status = 'priced' GROUP BY organization_id
  RETURNING 1
), stale AS (${MARK_PRICED_STALE('upd')}
)
SELECT (SELECT count(*) FROM upd WHERE pricing_status = 'priced')::int AS priced,
       (SELECT count(*) FROM upd WHERE pricing_status = 'unpriced')::int AS unpriced`;

/** A batch is done: every event priced or unpriced. Its failure count starts again. */
const CLOSE_BATCH = `
UPDATE ingest_batches SET priced_at = now(), failed_attempts = 0, last_error = NULL,
  unpriced_count = (SELECT count(*) FROM events WHERE id = ANY(ingest_batches.event_ids) AND pricing_status = 'unpriced')
WHERE id = $1`;

/**
 * Un-prices events (back to pending), taking their amounts out of the aggregates, and reopens their batches
 * (a quarantined one too: the change may be what it needed). Postgres parameters from $1 in `filter`.
 * Never an event of a period an invoice has billed (docs/design.md "Invoices"): not one whose period has a
 * finalized invoice, nor one whose period's usage a finalized invoice billed as late usage.
 */
const RESETTABLE = (filter: string) => `${filter} AND e.pricing_status = 'priced'
    AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = e.customer_id AND i.period_start = e.period_start
                      AND i.type = 'usage' AND i.status IN ('finalized', 'paid', 'payment_failed'))
    AND NOT EXISTS (SELECT 1 FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                    WHERE l.customer_id = e.customer_id AND l.period_start = e.period_start
                      AND i.status IN ('finalized', 'paid', 'payment_failed'))`;

const RESET_PRICED = (filter: string) => `
WITH old AS (
  SELECT e.id, e.batch_id, e.customer_id, e.period_start, e.charge, e.provider_cost, e.rated_amount, ${list((d) => `e.${d}`)}
  FROM events e WHERE ${RESETTABLE(filter)}
  ORDER BY e.id
  FOR UPDATE OF e
), sub AS (
  UPDATE usage_aggregates a SET events = a.events - o.n, provider_cost = a.provider_cost - o.provider_cost,
    rated_amount = a.rated_amount - o.rated_amount, ${list((d) => `${d} = a.${d} - o.${d}`)}, updated_at = now()
  FROM (SELECT customer_id, period_start, charge, count(*) AS n, sum(provider_cost) AS provider_cost,
          sum(rated_amount) AS rated_amount, ${list((d) => `sum(${d}) AS ${d}`)}
        FROM old GROUP BY customer_id, period_start, charge) o
  WHERE a.customer_id = o.customer_id AND a.period_start = o.period_start AND a.charge = o.charge
  RETURNING a.customer_id
), reset AS (
  UPDATE events e SET pricing_status = 'pending', unpriced_reason = NULL, provider_cost = NULL, rated_amount = NULL,
    rate_card_id = NULL, charge = NULL, plan_version_id = NULL, period_start = NULL, priced_at = NULL
  FROM old WHERE e.id = old.id
  RETURNING e.batch_id
)
UPDATE ingest_batches b SET priced_at = NULL, quarantined_at = NULL, failed_attempts = 0, last_error = NULL
WHERE b.id IN (SELECT DISTINCT batch_id FROM reset)
RETURNING b.id::text AS id`;

type EventToPriceColumns = [string, string, string, Date, Date, string, string, string | null, string, string[]];

@Injectable()
export class PricingRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /** Events of a batch not priced yet (pending, or unpriced for a missing rate). */
  async eventsToPrice(batchId: string): Promise<EventToPriceRow[]> {
    const res = await this.pool.query<EventToPriceColumns>({
      text: `SELECT id, organization_id, customer_id, occurred_at, received_at, provider, model, reported_cost, status,
               ARRAY[${list((d) => d)}]::int8[]
             FROM events WHERE id = ANY((SELECT event_ids FROM ingest_batches WHERE id = $1)::int8[]) AND pricing_status <> 'priced'`,
      values: [batchId],
      rowMode: 'array',
    });
    return res.rows.map(([id, organization_id, customer_id, occurred_at, received_at, provider, model, reported_cost, status, counts]) => {
      const usage = emptyUsage();
      for (let d = 0; d < USAGE_DIMENSIONS.length; d++) usage[USAGE_DIMENSIONS[d]] = BigInt(counts[d]);
      return { id, organization_id, customer_id, occurred_at, received_at, provider, model, reported_cost, status, usage };
    });
  }

  async customers(ids: readonly string[]): Promise<Map<string, CustomerPricingRow>> {
    const res = await this.pool.query<CustomerPricingRow>(
      'SELECT id, plan_code, billing_anchor FROM customers WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(res.rows.map((r) => [r.id, r]));
  }

  /**
   * The organisation of a batch and its pricing epoch, read before anything pricing depends on (docs/design.md,
   * "Repricing"): a reset that commits after this read moves the epoch, and `writePriced` then writes nothing.
   */
  async pricingGuard(batchId: string): Promise<PricingGuard | null> {
    const res = await this.pool.query<PricingGuard>(
      `SELECT o.id::text AS "organizationId", o.pricing_epoch::text AS epoch
       FROM ingest_batches b JOIN organizations o ON o.id = b.organization_id WHERE b.id = $1`,
      [batchId],
    );
    return res.rows[0] ?? null;
  }

  /**
   * What pricing a batch at ingest reads first, in one statement (one snapshot): the organisation's pricing epoch
   * (int8 as text) and the customers' plans. Null when the organisation does not exist.
   */
  async pricingInputs(
    organizationId: string,
    customerIds: readonly string[],
  ): Promise<{ epoch: string; customers: Map<string, CustomerPricingRow> } | null> {
    const res = await this.pool.query<[string, string | null, string | null, Date | null]>({
      name: 'tollgate_pricing_inputs',
      text: `SELECT o.pricing_epoch::text, c.id::text, c.plan_code, c.billing_anchor
             FROM organizations o LEFT JOIN customers c ON c.id = ANY($2::uuid[]) AND c.organization_id = o.id WHERE o.id = $1`,
      values: [organizationId, uuidArray(customerIds)],
      rowMode: 'array',
    });
    if (res.rows.length === 0) return null;
    const customers = new Map<string, CustomerPricingRow>();
    for (const [, id, plan_code, billing_anchor] of res.rows)
      if (id !== null) customers.set(id, { id, plan_code: plan_code!, billing_anchor });
    return { epoch: res.rows[0][0], customers };
  }

  /**
   * Writes a batch's pricing, adds the newly priced events to the aggregates, records them for the analytics
   * rollups (rollup_pending), marks their customers that have a credit wallet for the entitlement refresher
   * (entitlement_refreshes) and (unless told not to) closes the batch, in one transaction; null, writing nothing, when a repricing reset of the organisation committed since
   * `guard` was read. The epoch is read under a share lock of the organisation's row, which a reset's epoch bump
   * (in the reset's transaction, before it looks for priced events) waits for: either this write sees the reset,
   * or the reset sees these events priced and un-prices them.
   */
  async writePriced(
    batchId: string,
    guard: PricingGuard,
    rows: readonly PricedRow[],
    { closeBatch = true }: { closeBatch?: boolean } = {},
  ): Promise<{ priced: number; unpriced: number } | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const epoch = await client.query<{ epoch: string }>(
        'SELECT pricing_epoch::text AS epoch FROM organizations WHERE id = $1 FOR SHARE',
        [guard.organizationId],
      );
      if (epoch.rows[0]?.epoch !== guard.epoch) {
        await client.query('ROLLBACK');
        return null;
      }
      const res = await client.query<{ priced: number; unpriced: number }>(WRITE_PRICED, [
        rows.map((r) => r.id),
        rows.map((r) => r.status),
        rows.map((r) => r.reason),
        rows.map((r) => r.providerCost),
        rows.map((r) => r.ratedAmount),
        rows.map((r) => r.rateCardId),
        rows.map((r) => r.charge),
        rows.map((r) => r.planVersionId),
        rows.map((r) => r.periodStart),
        rows.map((r) => r.periodEnd),
      ]);
      if (closeBatch) await this.closeBatch(batchId, client);
      await client.query('COMMIT');
      return res.rows[0];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async closeBatch(batchId: string, db: Pool | PoolClient = this.pool): Promise<void> {
    await db.query(CLOSE_BATCH, [batchId]);
  }

  /** Un-prices each customer's events at or after its `since`; returns the batches to price again. */
  async resetCustomers(tx: Tx, organizationId: string, customerIds: readonly string[], since: readonly Date[]): Promise<string[]> {
    if (customerIds.length === 0) {
      // Nothing priced to take back, but pricing in flight may have read the policy before this change.
      await this.bumpEpoch(tx, organizationId);
      return [];
    }
    return this.reset(
      tx,
      `e.organization_id = $1::uuid AND EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::timestamptz[]) AS x(customer_id, since)
         WHERE x.customer_id = e.customer_id AND e.occurred_at >= x.since)`,
      [organizationId, [...customerIds], [...since]],
    );
  }

  /** Un-prices an organisation's events of one (provider, model) at or after `since` (e.g. a new override). */
  async resetModel(tx: Tx, organizationId: string, provider: string, model: string, since: Date): Promise<string[]> {
    return this.reset(
      tx,
      `e.organization_id = $1::uuid AND e.occurred_at >= $4 AND (e.model = $3
         OR e.rate_card_id IN (SELECT id FROM rate_card_versions WHERE provider = $2 AND model = $3))`,
      [organizationId, provider, model, since],
    );
  }

  /**
   * A reset's first statement: it waits for pricing writes in flight (they hold the organisation's row in share
   * mode) and makes any write that read the epoch before it write nothing (docs/design.md, "Repricing").
   */
  private async bumpEpoch(tx: Tx, organizationId: string): Promise<void> {
    await tx.$executeRawUnsafe('UPDATE organizations SET pricing_epoch = pricing_epoch + 1 WHERE id = $1::uuid', organizationId);
  }

  private async reset(tx: Tx, filter: string, values: unknown[]): Promise<string[]> {
    // No finalization of the organisation reads usage while this runs (the billing lock, exclusive; SQL for the
    // lock alone): so a period is either finalized before this reads it, and skipped, or after it commits.
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${BILLING_LOCK}, hashtext($1::text))::text`, values[0]);
    // Then the epoch, then the search for priced events, so that none is missed.
    await this.bumpEpoch(tx, values[0] as string);
    // Nothing can price or finalize meanwhile (the epoch, the billing lock): the rollups lose what the reset takes.
    await takeOutOfRollups(tx, RESETTABLE(filter), values);
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(RESET_PRICED(filter), ...values);
    await tx.$executeRawUnsafe('DELETE FROM usage_aggregates WHERE organization_id = $1::uuid AND events = 0', values[0]);
    return rows.map((r) => r.id);
  }
}
