import { Pool, PoolClient } from 'pg';

// The events table's SQL. Ingest is set-based: one statement per batch, never one per event.

export interface EventRow {
  transactionId: string;
  customerId: string;
  externalCustomerId: string;
  occurredAt: string; // ISO 8601
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

export const INSERT_EVENTS_SQL = `
INSERT INTO events (organization_id, batch_id, transaction_id, customer_id, external_customer_id, occurred_at,
  timestamp_provided, provider, model, ${USAGE_COLUMNS.join(', ')}, reported_cost, task_id, trace_id,
  session_id, feature, status, retry_of, metadata, content_hash)
SELECT $1::uuid, $2::uuid, u.* FROM unnest($3::text[], $4::uuid[], $5::text[], $6::timestamptz[], $7::bool[],
  $8::text[], $9::text[], ${USAGE_COLUMNS.map((_, i) => `$${10 + i}::int8[]`).join(', ')}, $21::numeric[],
  $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[], $28::jsonb[], $29::bytea[]) AS u
ON CONFLICT (organization_id, transaction_id) DO NOTHING
RETURNING transaction_id, id`;

/** Column-wise arrays for unnest: one array per column, rows in the given order. */
export function eventColumns(rows: EventRow[]): unknown[] {
  const n = rows.length;
  const cols: unknown[][] = Array.from({ length: 27 }, () => new Array(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    cols[0][i] = r.transactionId;
    cols[1][i] = r.customerId;
    cols[2][i] = r.externalCustomerId;
    cols[3][i] = r.occurredAt;
    cols[4][i] = r.timestampProvided;
    cols[5][i] = r.provider;
    cols[6][i] = r.model;
    for (let d = 0; d < 11; d++) cols[7 + d][i] = r.usage[d];
    cols[18][i] = r.cost;
    cols[19][i] = r.taskId;
    cols[20][i] = r.traceId;
    cols[21][i] = r.sessionId;
    cols[22][i] = r.feature;
    cols[23][i] = r.status;
    cols[24][i] = r.retryOf;
    cols[25][i] = r.metadata;
    cols[26][i] = r.contentHash;
  }
  return cols;
}

/**
 * Inserts rows, skipping any whose (organization, transaction_id) is already stored. Returns the inserted
 * transaction ids and their event ids. A named statement: Postgres plans it once per connection.
 */
export async function insertEvents(
  db: PoolClient | Pool,
  organizationId: string,
  batchId: string,
  rows: EventRow[],
): Promise<{ transactionIds: Set<string>; eventIds: string[] }> {
  const res = await db.query({ name: 'tollgate_insert_events', text: INSERT_EVENTS_SQL, values: [organizationId, batchId, ...eventColumns(rows)], rowMode: 'array' });
  const transactionIds = new Set<string>();
  const eventIds: string[] = new Array(res.rows.length);
  for (let i = 0; i < res.rows.length; i++) {
    transactionIds.add(res.rows[i][0]);
    eventIds[i] = res.rows[i][1];
  }
  return { transactionIds, eventIds };
}

export async function storedContentHashes(db: PoolClient | Pool, organizationId: string, transactionIds: string[]): Promise<Map<string, Buffer>> {
  const res = await db.query({
    text: 'SELECT transaction_id, content_hash FROM events WHERE organization_id = $1 AND transaction_id = ANY($2::text[])',
    values: [organizationId, transactionIds],
    rowMode: 'array',
  });
  return new Map(res.rows.map((r) => [r[0] as string, r[1] as Buffer]));
}

/** The batch is the unit of pricing work: it lists its events so pricing reads them by primary key. */
export async function insertBatch(db: PoolClient | Pool, organizationId: string, batchId: string, eventIds: string[]): Promise<void> {
  await db.query({
    name: 'tollgate_insert_batch',
    text: 'INSERT INTO ingest_batches (id, organization_id, event_count, event_ids) VALUES ($1, $2, $3, $4::int8[])',
    values: [batchId, organizationId, eventIds.length, eventIds],
  });
}
