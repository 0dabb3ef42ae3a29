import { Pool, PoolClient } from 'pg';
import { boolArray, byteaArray, int8Array, jsonbArray, textArray, timestamptzArray, uuidArray } from './pg-binary-array';

// The events table's SQL. Ingest is set-based: one statement per batch, never one per event.

export interface EventRow {
  transactionId: string;
  customerId: string;
  externalCustomerId: string;
  occurredAt: number; // epoch milliseconds
  timestampProvided: boolean;
  provider: string;
  model: string;
  usage: number[]; // USAGE_DIMENSIONS order
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

const USAGE_COLUMNS = [
  'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'output_tokens',
  'reasoning_tokens', 'audio_input_tokens', 'audio_output_tokens', 'images', 'web_searches', 'requests',
];

const COLUMNS = `organization_id, batch_id, transaction_id, customer_id, external_customer_id, occurred_at,
  timestamp_provided, provider, model, ${USAGE_COLUMNS.join(', ')}, reported_cost, task_id, trace_id,
  session_id, feature, status, retry_of, metadata, content_hash`;

const UNNEST = `unnest($3::text[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bool[],
  $8::text[], $9::text[], ${USAGE_COLUMNS.map((_, i) => `$${10 + i}::int8[]`).join(', ')}, $21::numeric[],
  $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::jsonb[], $29::bytea[])`;

/** The bare insert of a batch ($1 organization, $2 batch, $3.. the columns), duplicates skipped by the unique key. */
export const INSERT_EVENTS_SQL = `
INSERT INTO events (${COLUMNS})
SELECT $1::uuid, $2::uuid, u.* FROM ${UNNEST} AS u
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
 * The 27 column parameters of a batch, rows in the given order. Binary arrays (see pg-binary-array.ts):
 * no array literal to build, escape or parse. reported_cost stays a text array: numeric's binary form is
 * base-10000 digits, and it is null for most events.
 */
export function eventColumns(rows: EventRow[]): unknown[] {
  const n = rows.length;
  const text = () => new Array<string | null>(n);
  const transactionIds = text(), customerIds = new Array<string>(n), externalIds = text(), providers = text(), models = text();
  const occurredAt = new Array<number>(n), timestampProvided = new Array<boolean>(n);
  const usage = Array.from({ length: USAGE_COLUMNS.length }, () => new Array<number>(n));
  const costs = text(), taskIds = text(), traceIds = text(), sessionIds = text(), features = text(), statuses = text();
  const retryOf = text(), metadata = text(), hashes = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    transactionIds[i] = r.transactionId;
    customerIds[i] = r.customerId;
    externalIds[i] = r.externalCustomerId;
    occurredAt[i] = r.occurredAt;
    timestampProvided[i] = r.timestampProvided;
    providers[i] = r.provider;
    models[i] = r.model;
    for (let d = 0; d < usage.length; d++) usage[d][i] = r.usage[d];
    costs[i] = r.cost;
    taskIds[i] = r.taskId;
    traceIds[i] = r.traceId;
    sessionIds[i] = r.sessionId;
    features[i] = r.feature;
    statuses[i] = r.status;
    retryOf[i] = r.retryOf;
    metadata[i] = r.metadata;
    hashes[i] = r.contentHash;
  }
  return [
    textArray(transactionIds), uuidArray(customerIds), textArray(externalIds), timestamptzArray(occurredAt), boolArray(timestampProvided),
    textArray(providers), textArray(models), ...usage.map(int8Array), costs,
    textArray(taskIds), textArray(traceIds), textArray(sessionIds), textArray(features), textArray(statuses), textArray(retryOf),
    jsonbArray(metadata), byteaArray(hashes),
  ];
}

/**
 * Inserts rows, skipping any whose (organization, transaction_id) is already stored, and records the batch
 * of the inserted ones. Returns how many were inserted. A named statement: Postgres plans it once per connection.
 */
export async function storeEvents(db: PoolClient | Pool, organizationId: string, batchId: string, rows: EventRow[]): Promise<number> {
  const res = await db.query({ name: 'tollgate_store_events', text: STORE_EVENTS_SQL, values: [organizationId, batchId, ...eventColumns(rows)], rowMode: 'array' });
  return res.rows[0][0] as number;
}

/** For ids a batch did not all insert: which batch stored each, and with what content. */
export async function storedEvents(
  db: PoolClient | Pool,
  organizationId: string,
  transactionIds: string[],
): Promise<Map<string, { batchId: string; contentHash: Buffer }>> {
  const res = await db.query({
    text: 'SELECT transaction_id, batch_id, content_hash FROM events WHERE organization_id = $1 AND transaction_id = ANY($2::text[])',
    values: [organizationId, textArray(transactionIds)],
    rowMode: 'array',
  });
  return new Map(res.rows.map((r) => [r[0] as string, { batchId: r[1] as string, contentHash: r[2] as Buffer }]));
}
