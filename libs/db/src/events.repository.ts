import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { boolArray, byteaArray, int8Array, jsonbArray, textArray, timestamptzArray, uuidArray } from './pg-binary-array';
import { MARK_PRICED_STALE } from './credits.repository';
import { DB_POOL } from './tokens';

// The events table's SQL. Raw SQL, not Prisma: ingest is the hot path, one statement per batch of up to 1,000
// events (binary column arrays through `unnest`, a named statement planned once per connection), and the
// listing selects its usage columns from USAGE_DIMENSIONS.

export interface EventRow {
  transactionId: string;
  customerId: string;
  externalCustomerId: string;
  occurredAt: number; // epoch milliseconds
  timestampProvided: boolean;
  provider: string;
  model: string;
  /** Counts in USAGE_DIMENSIONS order. */
  usage: readonly number[];
  cost: string | null;
  taskId: string | null;
  traceId: string | null;
  sessionId: string | null;
  feature: string | null;
  status: string;
  retryOf: string | null;
  metadata: string | null; // JSON text
  contentHash: Buffer;
}

/** One column of the insert: its name, its Postgres type, and how a batch's values become one binary array. */
interface InsertColumn {
  readonly name: string;
  readonly type: string;
  readonly array: (rows: readonly EventRow[]) => unknown;
}

const column = <T>(name: string, type: string, encode: (values: T[]) => unknown, value: (row: EventRow) => T): InsertColumn => ({
  name,
  type,
  array: (rows) => {
    const values = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = value(rows[i]);
    return encode(values);
  },
});

/**
 * The inserted columns after organization_id and batch_id, in parameter order ($3, $4, ...). The usage
 * columns are USAGE_DIMENSIONS, so a dimension added there is inserted without touching this file.
 * reported_cost stays a text array: numeric's binary form is base-10000 digits, and it is null for most events.
 */
const INSERT_COLUMNS: readonly InsertColumn[] = [
  column('transaction_id', 'text', textArray, (r) => r.transactionId),
  column('customer_id', 'uuid', uuidArray, (r) => r.customerId),
  column('external_customer_id', 'text', textArray, (r) => r.externalCustomerId),
  column('occurred_at', 'timestamptz', timestamptzArray, (r) => r.occurredAt),
  column('timestamp_provided', 'bool', boolArray, (r) => r.timestampProvided),
  column('provider', 'text', textArray, (r) => r.provider),
  column('model', 'text', textArray, (r) => r.model),
  ...USAGE_DIMENSIONS.map((d, i) => column(d, 'int8', int8Array, (r) => r.usage[i])),
  column(
    'reported_cost',
    'numeric',
    (v: (string | null)[]) => v,
    (r) => r.cost,
  ),
  column('task_id', 'text', textArray, (r) => r.taskId),
  column('trace_id', 'text', textArray, (r) => r.traceId),
  column('session_id', 'text', textArray, (r) => r.sessionId),
  column('feature', 'text', textArray, (r) => r.feature),
  column('status', 'text', textArray, (r) => r.status),
  column('retry_of', 'text', textArray, (r) => r.retryOf),
  column('metadata', 'jsonb', jsonbArray, (r) => r.metadata),
  column('content_hash', 'bytea', byteaArray, (r) => r.contentHash),
];

/** The bare insert of a batch ($1 organization, $2 batch, $3.. the columns), duplicates skipped by the unique key. */
export const INSERT_EVENTS_SQL = `
INSERT INTO events (organization_id, batch_id, ${INSERT_COLUMNS.map((c) => c.name).join(', ')})
SELECT $1::uuid, $2::uuid, u.* FROM unnest(${INSERT_COLUMNS.map((c, i) => `$${i + 3}::${c.type}[]`).join(', ')}) AS u
ON CONFLICT (organization_id, transaction_id) DO NOTHING`;

/**
 * The batch's events and, if any were new, the batch listing them, in one statement (one round trip, and
 * one transaction of its own unless the caller opened one). Answers how many events were inserted.
 */
export const STORE_EVENTS_SQL = `
WITH inserted AS (${INSERT_EVENTS_SQL}
  RETURNING id
), batch AS (
  INSERT INTO ingest_batches (id, organization_id, event_count, event_ids)
  SELECT $2, $1, count(*), array_agg(id) FROM inserted HAVING count(*) > 0
  RETURNING event_count
)
SELECT coalesce((SELECT event_count FROM batch), 0) AS inserted`;

/**
 * A batch's pricing computed by the api as it stores the batch (docs/design.md, "Pricing as the batch is stored"):
 * every event priced, one entry per row in the rows' order. The periods list each (customer, period start) of the
 * batch once, with its end (a new usage_aggregates row needs it).
 */
export interface InlinePricing {
  /** organizations.pricing_epoch read before the rates, customers and plans the prices come from (int8 as text). */
  epoch: string;
  providerCost: readonly string[];
  ratedAmount: readonly string[];
  rateCardId: readonly (string | null)[];
  charge: readonly string[];
  planVersionId: readonly string[];
  /** Epoch ms. */
  periodStart: readonly number[];
  periods: { customerIds: readonly string[]; starts: readonly number[]; ends: readonly number[] };
  /** The batch's distinct customers: a batch with a customer that has usage alerts or a credit wallet is left to the worker. */
  customerIds: readonly string[];
}

const N = INSERT_COLUMNS.length;
const P = (i: number) => `$${N + 3 + i}`; // the pricing parameters, after the columns
const dims = (f: (d: string) => string) => USAGE_DIMENSIONS.map(f).join(', ');

/**
 * The batch stored and priced in one statement, when nothing moved since the api read what the prices come
 * from: the organisation's pricing epoch is the one read before the rates, customers and plans (read under a
 * share lock of its row, as the worker's write does, so a repricing reset either comes first and this batch is
 * stored pending, or waits and then finds these events priced), and none of the batch's customers has usage
 * alerts (their check stays with the worker, after its commit). The customers that have a credit wallet are marked
 * for the worker's entitlement refresher in the same statement, as the worker's pricing marks them. SKIP LOCKED: while a reset (or any change of the organisation's
 * row) is uncommitted, ingest does not wait for it; the batch is stored pending. Otherwise the same rows are stored pending for the worker, as
 * STORE_EVENTS_SQL does. Duplicates are skipped by the unique key before anything is added to the aggregates:
 * what was not inserted is never counted. Answers how many events were inserted and whether they were priced.
 *
 * NOTE: the insert writes each row once, priced: no read-back and no update of wide rows (docs/performance.md). Every
 * event the statement inserts is priced or none is, so the batch's pending rollup row names the batch, whose row lists
 * the same ids, rather than listing them a second time.
 */
export const STORE_PRICED_EVENTS_SQL = `
WITH g AS (
  SELECT o.pricing_epoch = ${P(0)}::int8
    AND NOT EXISTS (SELECT 1 FROM usage_alerts a WHERE a.customer_id = ANY(${P(7)}::uuid[])) AS ok
  FROM organizations o WHERE o.id = $1 FOR SHARE OF o SKIP LOCKED
), inserted AS (
  INSERT INTO events (organization_id, batch_id, ${INSERT_COLUMNS.map((c) => c.name).join(', ')},
    pricing_status, provider_cost, rated_amount, rate_card_id, charge, plan_version_id, period_start, priced_at)
  SELECT $1::uuid, $2::uuid, ${INSERT_COLUMNS.map((c) => `u.${c.name}`).join(', ')},
    CASE WHEN g.ok THEN 'priced' ELSE 'pending' END, CASE WHEN g.ok THEN u.p_provider_cost END,
    CASE WHEN g.ok THEN u.p_rated_amount END, CASE WHEN g.ok THEN u.p_rate_card_id END, CASE WHEN g.ok THEN u.p_charge END,
    CASE WHEN g.ok THEN u.p_plan_version_id END, CASE WHEN g.ok THEN u.p_period_start END, CASE WHEN g.ok THEN clock_timestamp() END
  FROM unnest(${INSERT_COLUMNS.map((c, i) => `$${i + 3}::${c.type}[]`).join(', ')},
    ${P(1)}::text[]::numeric[], ${P(2)}::text[]::numeric[], ${P(3)}::text[]::uuid[], ${P(4)}::text[], ${P(5)}::uuid[], ${P(6)}::timestamptz[])
    AS u(${INSERT_COLUMNS.map((c) => c.name).join(', ')},
      p_provider_cost, p_rated_amount, p_rate_card_id, p_charge, p_plan_version_id, p_period_start)
  LEFT JOIN g ON true
  ON CONFLICT (organization_id, transaction_id) DO NOTHING
  RETURNING id, customer_id, pricing_status, provider_cost, rated_amount, charge, period_start, ${dims((d) => d)}
), agg AS (
  INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost,
    rated_amount, ${dims((d) => d)}, updated_at)
  SELECT $1::uuid, i.customer_id, i.period_start, p.period_end, i.charge, count(*), sum(i.provider_cost), sum(i.rated_amount),
    ${dims((d) => `sum(i.${d})`)}, now()
  FROM inserted i JOIN unnest(${P(8)}::uuid[], ${P(9)}::timestamptz[], ${P(10)}::timestamptz[]) AS p(customer_id, period_start, period_end)
    ON p.customer_id = i.customer_id AND p.period_start = i.period_start
  WHERE i.pricing_status = 'priced'
  GROUP BY i.customer_id, i.period_start, p.period_end, i.charge
  ORDER BY i.customer_id, i.period_start, i.charge
  ON CONFLICT (customer_id, period_start, charge) DO UPDATE SET events = usage_aggregates.events + excluded.events,
    provider_cost = usage_aggregates.provider_cost + excluded.provider_cost,
    rated_amount = usage_aggregates.rated_amount + excluded.rated_amount,
    ${dims((d) => `${d} = usage_aggregates.${d} + excluded.${d}`)}, updated_at = now()
  RETURNING 1
), pending_rollup AS (
  INSERT INTO rollup_pending (organization_id, batch_id)
  SELECT $1::uuid, $2::uuid FROM inserted WHERE pricing_status = 'priced' HAVING count(*) > 0
  RETURNING 1
), stale AS (${MARK_PRICED_STALE('inserted')}
), batch AS (
  INSERT INTO ingest_batches (id, organization_id, event_count, event_ids, priced_at)
  SELECT $2, $1, count(*), array_agg(id), CASE WHEN bool_and(pricing_status = 'priced') THEN now() END
  FROM inserted HAVING count(*) > 0
  RETURNING event_count, priced_at IS NOT NULL AS priced
)
SELECT coalesce((SELECT event_count FROM batch), 0) AS inserted, coalesce((SELECT priced FROM batch), false) AS priced`;

/** The column parameters of a batch ($3 onwards of INSERT_EVENTS_SQL), rows in the given order, as binary arrays. */
export function eventColumns(rows: readonly EventRow[]): unknown[] {
  return INSERT_COLUMNS.map((c) => c.array(rows));
}

/**
 * Creates the customers a batch names for the first time, on the organisation's default plan. External ids
 * are sorted so two batches creating the same customers lock them in the same order.
 */
const ENSURE_CUSTOMERS_SQL = `
INSERT INTO customers (id, organization_id, external_id, plan_code)
SELECT gen_random_uuid(), $1, x, o.default_plan_code
FROM unnest($2::text[]) AS x, organizations o WHERE o.id = $1
ORDER BY x
ON CONFLICT (organization_id, external_id) DO NOTHING`;

export type PricingStatus = 'pending' | 'priced' | 'unpriced';

/** An event as GET /v1/events shows it. Money is exact decimal text without trailing zeros. */
export interface StoredEvent {
  id: string;
  transaction_id: string;
  external_customer_id: string;
  occurred_at: Date;
  received_at: Date;
  provider: string;
  model: string;
  /** Counts up to 10^12: exact as numbers. */
  usage: Record<UsageDimension, number>;
  reported_cost: string | null;
  task_id: string | null;
  trace_id: string | null;
  session_id: string | null;
  feature: string | null;
  status: string;
  retry_of: string | null;
  metadata: Record<string, string> | null;
  pricing_status: PricingStatus;
  unpriced_reason: string | null;
  provider_cost: string | null;
  rated_amount: string | null;
  charge: string | null;
  rate_card_id: string | null;
}

export interface EventFilter {
  organizationId: string;
  externalCustomerId?: string;
  transactionId?: string;
  model?: string;
  from?: Date;
  to?: Date;
  pricingStatus?: PricingStatus;
  /** Events stored after this one (its id), for the next page. */
  afterId?: string;
  limit: number;
}

type StoredEventRow = Omit<StoredEvent, 'usage'> & { usage: string[] };

const LIST_COLUMNS = `e.id::text, e.transaction_id, e.external_customer_id, e.occurred_at, e.received_at, e.provider, e.model,
  ARRAY[${USAGE_DIMENSIONS.map((d) => `e.${d}`).join(', ')}]::int8[] AS usage, trim_scale(e.reported_cost)::text AS reported_cost,
  e.task_id, e.trace_id, e.session_id, e.feature, e.status, e.retry_of, e.metadata, e.pricing_status, e.unpriced_reason,
  trim_scale(e.provider_cost)::text AS provider_cost, trim_scale(e.rated_amount)::text AS rated_amount, e.charge, e.rate_card_id`;

@Injectable()
export class EventsRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /**
   * Stores a batch: its new customers (if any) and its events, skipping any whose (organization,
   * transaction_id) is already stored, and the batch of the inserted ones, in one transaction. Returns how
   * many events were inserted and the ids of the customers it looked up or created.
   */
  async storeBatch(
    organizationId: string,
    batchId: string,
    newCustomers: readonly string[],
    rows: (customers: ReadonlyMap<string, string>) => EventRow[],
  ): Promise<{ inserted: number; customers: Map<string, string> }> {
    if (newCustomers.length === 0) {
      // The common case, every customer known: one statement, its own transaction.
      return { inserted: await this.store(this.pool, organizationId, batchId, rows(new Map())), customers: new Map() };
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const customers = await this.ensureCustomers(client, organizationId, newCustomers);
      const inserted = await this.store(client, organizationId, batchId, rows(customers));
      await client.query('COMMIT');
      client.release();
      return { inserted, customers };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err as Error);
      throw err;
    }
  }

  /**
   * Stores a batch whose customers are all known and prices it in the same transaction (STORE_PRICED_EVENTS_SQL):
   * priced unless a repricing reset moved the organisation's epoch since `pricing.epoch` was read or a customer
   * of the batch has usage alerts, and then stored pending, for the worker. When priced, the
   * statement also records the events for the analytics rollups (rollup_pending), as the worker's pricing write
   * does: an event priced at ingest is in every report. One statement, so one transaction.
   */
  async storePricedBatch(
    organizationId: string,
    batchId: string,
    rows: readonly EventRow[],
    pricing: InlinePricing,
  ): Promise<{ inserted: number; priced: boolean }> {
    const values = [
      organizationId,
      batchId,
      ...eventColumns(rows),
      pricing.epoch,
      textArray(pricing.providerCost),
      textArray(pricing.ratedAmount),
      textArray(pricing.rateCardId),
      textArray(pricing.charge),
      uuidArray(pricing.planVersionId),
      timestamptzArray(pricing.periodStart),
      uuidArray(pricing.customerIds),
      uuidArray(pricing.periods.customerIds),
      timestamptzArray(pricing.periods.starts),
      timestamptzArray(pricing.periods.ends),
    ];
    const query = { name: 'tollgate_store_priced_events', text: STORE_PRICED_EVENTS_SQL, values, rowMode: 'array' as const };
    const [inserted, priced] = (await this.pool.query<[number, boolean]>(query)).rows[0];
    return { inserted, priced };
  }

  /** For ids a batch did not all insert: which batch stored each, and with what content. */
  async stored(organizationId: string, transactionIds: readonly string[]): Promise<Map<string, { batchId: string; contentHash: Buffer }>> {
    const res = await this.pool.query<[string, string, Buffer]>({
      text: 'SELECT transaction_id, batch_id, content_hash FROM events WHERE organization_id = $1 AND transaction_id = ANY($2::text[])',
      values: [organizationId, textArray(transactionIds)],
      rowMode: 'array',
    });
    return new Map(res.rows.map(([transactionId, batchId, contentHash]) => [transactionId, { batchId, contentHash }]));
  }

  /** Events as stored, in insertion order (their id), at most `limit + 1` so the caller knows if a page follows. */
  async list(filter: EventFilter): Promise<StoredEvent[]> {
    const where = ['e.organization_id = $1'];
    const values: unknown[] = [filter.organizationId];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    // Through the customer's id: its index serves a customer with few events in an organisation with many.
    if (filter.externalCustomerId !== undefined) {
      add('e.customer_id = (SELECT c.id FROM customers c WHERE c.organization_id = $1 AND c.external_id = ?)', filter.externalCustomerId);
    }
    if (filter.transactionId !== undefined) add('e.transaction_id = ?', filter.transactionId);
    if (filter.model !== undefined) add('e.model = ?', filter.model);
    if (filter.from !== undefined) add('e.occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('e.occurred_at < ?', filter.to);
    if (filter.pricingStatus !== undefined) add('e.pricing_status = ?', filter.pricingStatus);
    if (filter.afterId !== undefined) add('e.id > ?', filter.afterId);
    values.push(filter.limit + 1);
    const res = await this.pool.query<StoredEventRow>(
      `SELECT ${LIST_COLUMNS} FROM events e WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT $${values.length}`,
      values,
    );
    return res.rows.map((r) => ({ ...r, usage: usageOf(r.usage) }));
  }

  private async store(db: Pool | PoolClient, organizationId: string, batchId: string, rows: EventRow[]): Promise<number> {
    const res = await db.query<[number]>({
      name: 'tollgate_store_events',
      text: STORE_EVENTS_SQL,
      values: [organizationId, batchId, ...eventColumns(rows)],
      rowMode: 'array',
    });
    return res.rows[0][0];
  }

  private async ensureCustomers(client: PoolClient, organizationId: string, externalIds: readonly string[]): Promise<Map<string, string>> {
    const sorted = [...externalIds].sort();
    await client.query(ENSURE_CUSTOMERS_SQL, [organizationId, sorted]);
    const res = await client.query<[string, string]>({
      text: 'SELECT external_id, id FROM customers WHERE organization_id = $1 AND external_id = ANY($2::text[])',
      values: [organizationId, sorted],
      rowMode: 'array',
    });
    return new Map(res.rows);
  }
}

function usageOf(counts: readonly string[]): Record<UsageDimension, number> {
  const usage = {} as Record<UsageDimension, number>;
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) usage[USAGE_DIMENSIONS[d]] = Number(counts[d]);
  return usage;
}
