import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { Tx } from './database';
import { DB_POOL } from './tokens';

// The analytics rollups (docs/design.md "Analytics"): priced usage summed per day, per period and per task, kept
// equal to the sum of their priced events, so that no report scans events. A pricing write only records what it
// priced (rollup_pending, in its transaction: the WRITE_PRICED and STORE_PRICED_EVENTS_SQL statements); a fold adds
// many writes' events at once, off the ingest and pricing path. Raw SQL, not Prisma: one set-based statement per
// fold or reset (a read of the events feeding three upserts).

const list = (f: (d: string) => string, sep = ', ') => USAGE_DIMENSIONS.map(f).join(sep);

/**
 * The price of a usage dimension on the event's card: the tier the request's prompt size reached, else the base
 * price (docs/design.md "Rate cards"); null when the card has none. `tier_prices` and `card_prices`: ROLLUP's.
 */
const price = (d: string) => `coalesce(e.tier_prices->>'${d}', e.card_prices->>'${d}')::numeric`;
const INPUT = price('input_tokens');
/** Cache reads against the input price (a card without a cache-read price charges them at it: nothing saved). */
const CACHE_READ_SAVINGS = `coalesce(e.cache_read_tokens * (${INPUT} - coalesce(${price('cache_read_tokens')}, ${INPUT})), 0)`;
const CACHE_WRITE_EXTRA = `coalesce(e.cache_write_tokens * (coalesce(${price('cache_write_tokens')}, ${INPUT}) - ${INPUT})
  + e.cache_write_1h_tokens * (coalesce(${price('cache_write_1h_tokens')}, ${price('cache_write_tokens')}, ${INPUT}) - ${INPUT}), 0)`;

const MEASURES = [
  'events',
  'provider_cost',
  'rated_amount',
  'retry_events',
  'retry_provider_cost',
  'cache_read_savings',
  'cache_write_extra',
];
const ROLLUP_MEASURES = [...MEASURES, ...USAGE_DIMENSIONS];
const TASK_MEASURES = ['events', 'retry_events', 'provider_cost', 'retry_provider_cost', 'rated_amount'];

/** Sums of the measures over `src`, times `sign`. */
const sums = (measures: readonly string[], sign: 1 | -1) =>
  measures.map((m) => (m === 'events' ? `${sign} * count(*) AS events` : `${sign} * sum(${m}) AS ${m}`)).join(', ');
const adds = (table: string, measures: readonly string[]) => measures.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');

/**
 * The rows of `source` summed per key into `table`, added to what it holds. `extra` columns are the same for every
 * event of a row (a period's end), or the last one seen (a task's name). `summed`: the measures as `source` gives
 * them (sums already, of a finer key: they are summed again) or as events give them (count(*), sums, times `sign`).
 */
function upsert(
  table: string,
  source: string,
  keys: readonly string[],
  extra: readonly string[],
  measures: readonly string[],
  sign: 1 | -1,
  summed: boolean,
  where = '',
) {
  const values = summed ? measures.map((m) => `sum(${m})`).join(', ') : sums(measures, sign);
  return `INSERT INTO ${table} (organization_id, ${[...keys, ...extra].join(', ')}, ${measures.join(', ')}, updated_at)
  SELECT organization_id, ${[...keys, ...extra.map((x) => `max(${x})`)].join(', ')}, ${values}, now() FROM ${source} ${where}
  GROUP BY organization_id, ${keys.join(', ')} ORDER BY ${keys.join(', ')}
  ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${adds(table, measures)}, updated_at = now()
  RETURNING 1`;
}

const DAILY_KEYS = ['customer_id', 'period_start', 'day', 'charge', 'provider', 'model', 'feature', 'task_name'];
/** A subset of DAILY_KEYS: a period's row is the sum of its days' rows. */
const PERIOD_KEYS = ['customer_id', 'period_start', 'charge', 'provider', 'model'];

/**
 * Adds (sign 1) or takes out (sign -1) the priced events that `filter` selects (alias `e`, parameters from $1) to
 * or from the three rollups, in one statement. The period's end comes from its aggregate, which exists while the
 * event is priced. `before`: CTEs the filter reads (the pending rows a fold takes).
 */
export const ROLLUP = (filter: string, sign: 1 | -1, before = '') => `
WITH ${before ? `${before},` : ''} src AS (
  SELECT e.organization_id, e.customer_id, e.period_start, (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
    e.charge, e.provider, e.model, coalesce(e.feature, '') AS feature, coalesce(e.task_name, '') AS task_name,
    e.task_id, e.provider_cost, e.rated_amount,
    (e.retry_of IS NOT NULL OR e.status = 'error')::int AS retry_events,
    CASE WHEN e.retry_of IS NOT NULL OR e.status = 'error' THEN e.provider_cost ELSE 0 END AS retry_provider_cost,
    ${CACHE_READ_SAVINGS} AS cache_read_savings,
    ${CACHE_WRITE_EXTRA} AS cache_write_extra,
    ${list((d) => `e.${d}`)}
  FROM (
    -- The card's tier is looked up only for a card that has tiers (most have none), once per event: OFFSET 0 keeps
    -- this level apart, so the expressions above read tier_prices instead of repeating its subquery.
    SELECT e.organization_id, e.customer_id, e.period_start, e.occurred_at, e.charge, e.provider, e.model, e.feature,
      e.metadata->>'task_name' AS task_name, e.task_id, e.provider_cost, e.rated_amount, e.retry_of, e.status,
      ${list((d) => `e.${d}`)}, r.prices AS card_prices,
      CASE WHEN r.tiers <> '[]'::jsonb THEN (
        SELECT t->'prices' FROM jsonb_array_elements(r.tiers) t
        WHERE (t->>'min_prompt_tokens')::numeric <= e.input_tokens + e.cache_read_tokens + e.cache_write_tokens
          + e.cache_write_1h_tokens + e.audio_input_tokens
        ORDER BY (t->>'min_prompt_tokens')::numeric DESC LIMIT 1
      ) END AS tier_prices
    FROM events e
    LEFT JOIN rate_card_versions r ON r.id = e.rate_card_id
    WHERE ${filter} AND e.pricing_status = 'priced'
    OFFSET 0
  ) e
), days AS (
  SELECT d.*, a.period_end FROM (
    SELECT organization_id, ${DAILY_KEYS.join(', ')}, ${sums(ROLLUP_MEASURES, sign)}
    FROM src GROUP BY organization_id, ${DAILY_KEYS.join(', ')}
  ) d JOIN usage_aggregates a ON a.customer_id = d.customer_id AND a.period_start = d.period_start AND a.charge = d.charge
), daily AS (
  ${upsert('analytics_daily', 'days', DAILY_KEYS, ['period_end'], ROLLUP_MEASURES, sign, true)}
), periods AS (
  ${upsert('analytics_periods', 'days', PERIOD_KEYS, ['period_end'], ROLLUP_MEASURES, sign, true)}
), tasks AS (
  ${upsert('analytics_tasks', 'src', ['customer_id', 'task_id', 'day'], ['task_name'], TASK_MEASURES, sign, false, 'WHERE task_id IS NOT NULL')}
)
SELECT count(*)::int AS events${before ? ', (SELECT count(*) FROM taken)::int AS pending' : ''} FROM src`;

/**
 * A fold: takes pending rows (`pick`: a select of their ids, locking them), deletes them and adds their events to
 * the rollups, in one statement, so a pending row is added exactly once: whoever deletes it adds it. An event is
 * still priced as its pricing write left it (a reset folds its organisation's pending rows first).
 */
const FOLD = (pick: string) =>
  ROLLUP(
    // A row of a batch priced as it was stored names the batch: its events are the batch's (one write priced them all).
    'e.id IN (SELECT unnest(coalesce(t.event_ids, b.event_ids)) FROM taken t LEFT JOIN ingest_batches b ON b.id = t.batch_id)',
    1,
    `taken AS (DELETE FROM rollup_pending WHERE id IN (${pick}) RETURNING event_ids, batch_id)`,
  );
/** The oldest `$1` pending rows no one else is folding, of any organisation: the worker's fold. */
const FOLD_SOME = FOLD('SELECT id FROM rollup_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED');
/**
 * Every pending row of organisation `$1`, waiting for rows another fold holds (deleted when it commits, so skipped):
 * after it, the rollups hold every event priced before it started.
 */
const FOLD_ORGANIZATION = FOLD('SELECT id FROM rollup_pending WHERE organization_id = $1::uuid ORDER BY id FOR UPDATE');

/** Rows whose events all left, of the customers a reset's `selection` touches (the primary keys lead with them). */
const DROP_EMPTY = (selection: string) =>
  ['analytics_daily', 'analytics_periods', 'analytics_tasks'].map(
    (t) => `DELETE FROM ${t} WHERE events = 0 AND customer_id IN (SELECT e.customer_id FROM events e WHERE ${selection})`,
  );

/**
 * A repricing reset's statements, in its transaction, before its events go back to pending: folds the
 * organisation's pending rows (their events must be in the rollups before they are taken out), takes out the priced
 * events it is about to reset (`selection`: the reset's own filter on `e`, `values[0]` the organisation), then drops
 * emptied rows.
 */
export async function takeOutOfRollups(tx: Tx, selection: string, values: unknown[]): Promise<void> {
  await tx.$queryRawUnsafe(FOLD_ORGANIZATION, values[0]);
  await tx.$queryRawUnsafe(ROLLUP(selection, -1), ...values);
  // Still before the reset: `selection` finds the same events, so the same customers.
  for (const sql of DROP_EMPTY(selection)) await tx.$executeRawUnsafe(sql, ...values);
}

export interface Folded {
  /** Pending rows (pricing writes) folded. */
  pending: number;
  /** Priced events they added to the rollups. */
  events: number;
}

@Injectable()
export class AnalyticsRollupsRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /** Folds at most `maxPending` of the oldest pending rows that no other fold holds, of any organisation. */
  async foldSome(maxPending: number): Promise<Folded> {
    return (await this.pool.query<Folded>(FOLD_SOME, [maxPending])).rows[0];
  }

  /** Folds every pending row of the organisation: a report's rollups then hold every event priced before it. */
  async foldOrganization(organizationId: string): Promise<Folded> {
    return (await this.pool.query<Folded>(FOLD_ORGANIZATION, [organizationId])).rows[0];
  }

  /** The organisations with pending rows. */
  async pendingOrganizations(): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>('SELECT DISTINCT organization_id::text AS id FROM rollup_pending');
    return res.rows.map((r) => r.id);
  }

  /** Pending rows and the age of the oldest (seconds), for the worker's metrics. */
  async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    const res = await this.pool.query<{ pending: number; oldestSeconds: number }>(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS "oldestSeconds"
       FROM rollup_pending`,
    );
    return res.rows[0];
  }

  /**
   * Rebuilds an organisation's rollups from its priced events (events written straight into Postgres, as the
   * benchmark does; a repair). One transaction; its pending rows go (their events are among those counted).
   */
  async rebuild(organizationId: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One aggregation over every priced event: memory for its hashes and sorts, and no JIT (seconds of compiling).
      await client.query(`SET LOCAL work_mem = '256MB'`);
      await client.query('SET LOCAL jit = off');
      for (const t of ['rollup_pending', 'analytics_daily', 'analytics_periods', 'analytics_tasks'])
        await client.query(`DELETE FROM ${t} WHERE organization_id = $1`, [organizationId]);
      const res = await client.query<{ events: number }>(ROLLUP('e.organization_id = $1::uuid', 1), [organizationId]);
      await client.query('COMMIT');
      return res.rows[0].events;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
