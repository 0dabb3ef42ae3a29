import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL } from './tokens';

// An ingest batch is the unit of pricing work; Postgres, not the queue, knows which are left to price and which
// failed. Raw SQL, not Prisma: the sweeper's scan and a quarantine (the batch and its events in one statement)
// are set-based.

export interface BatchFailure {
  /** Failures in a row with this same error. */
  attempts: number;
  quarantined: boolean;
  /** Events of the batch the quarantine marked unpriced. */
  events: number;
}

/** The reason a quarantined batch's events carry, in their unpriced_reason. */
export function quarantineReason(attempts: number, error: string): string {
  return `quarantined after ${attempts} failed pricing attempts (POST /v1/events/quarantine/retry retries it): ${error}`;
}

/**
 * Counts a failure of a batch (the same error again adds one, another error starts again at 1). At
 * `maxAttempts` the batch is quarantined: the sweeper leaves it alone and its events not yet priced become
 * unpriced with the reason, so GET /v1/events shows why.
 */
const RECORD_FAILURE = `
WITH b AS (
  UPDATE ingest_batches SET
    failed_attempts = CASE WHEN last_error = $2 THEN failed_attempts + 1 ELSE 1 END,
    last_error = $2,
    quarantined_at = CASE WHEN (CASE WHEN last_error = $2 THEN failed_attempts + 1 ELSE 1 END) >= $3 THEN now() END
  WHERE id = $1 AND quarantined_at IS NULL
  RETURNING event_ids, failed_attempts, quarantined_at
), q AS (
  UPDATE events SET pricing_status = 'unpriced', unpriced_reason = $4 || $2
  WHERE id = ANY((SELECT event_ids FROM b WHERE quarantined_at IS NOT NULL)::int8[]) AND pricing_status <> 'priced'
  RETURNING 1
)
SELECT failed_attempts AS attempts, quarantined_at IS NOT NULL AS quarantined, (SELECT count(*) FROM q)::int AS events FROM b`;

/** Lifts an organisation's quarantines: the batches are to be priced again, their quarantined events pending. */
const RETRY_QUARANTINED = `
WITH b AS (
  UPDATE ingest_batches SET quarantined_at = NULL, failed_attempts = 0, last_error = NULL, priced_at = NULL
  WHERE organization_id = $1 AND quarantined_at IS NOT NULL
  RETURNING id, event_ids
), e AS (
  UPDATE events SET pricing_status = 'pending', unpriced_reason = NULL
  WHERE id = ANY(ARRAY(SELECT unnest(event_ids) FROM b)) AND pricing_status = 'unpriced'
  RETURNING 1
)
SELECT coalesce(array_agg(id::text), '{}') AS batches, (SELECT count(*) FROM e)::int AS events FROM b`;

@Injectable()
export class IngestBatchesRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /**
   * Batches the sweeper must enqueue, oldest first: never priced after `olderThanMs`, or (`withUnpriced`, once
   * rates changed) holding unpriced events. Never a quarantined one.
   */
  async toSweep(olderThanMs: number, withUnpriced: boolean, limit = 10_000): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>(
      `(SELECT id FROM ingest_batches WHERE priced_at IS NULL AND quarantined_at IS NULL AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2)
       UNION
       (SELECT id FROM ingest_batches WHERE $3 AND priced_at IS NOT NULL AND unpriced_count > 0 AND quarantined_at IS NULL
        ORDER BY created_at LIMIT $2)`,
      [olderThanMs / 1000, limit, withUnpriced],
    );
    return res.rows.map((r) => r.id);
  }

  /** See RECORD_FAILURE. Null when the batch does not exist or is quarantined already. */
  async recordFailure(batchId: string, error: string, maxAttempts: number): Promise<BatchFailure | null> {
    // The reason's prefix names the count that quarantines, which is the count reached when it applies.
    const res = await this.pool.query<BatchFailure>(RECORD_FAILURE, [batchId, error, maxAttempts, quarantineReason(maxAttempts, '')]);
    return res.rows[0] ?? null;
  }

  /** Lifts the organisation's quarantines; returns the batches to enqueue and how many events went back to pending. */
  async retryQuarantined(organizationId: string): Promise<{ batches: string[]; events: number }> {
    const res = await this.pool.query<{ batches: string[]; events: number }>(RETRY_QUARANTINED, [organizationId]);
    return res.rows[0];
  }

  /** Quarantined batches and their events not priced, of every organisation (for /metrics). */
  async quarantined(): Promise<{ batches: number; events: number }> {
    const res = await this.pool.query<{ batches: number; events: number }>(
      `SELECT count(*)::int AS batches, coalesce(sum(event_count), 0)::int AS events FROM ingest_batches WHERE quarantined_at IS NOT NULL`,
    );
    return res.rows[0];
  }
}
