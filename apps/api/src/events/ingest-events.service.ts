import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PriceQueue } from '@tollgate/billing';
import type { Pool } from 'pg';
import { ensureCustomers, EventRow, insertBatch, insertEvents, storedContentHashes } from '@tollgate/db';
import type { TollgateConfig } from '@tollgate/config';
import { ApiError } from '../common/api-error';
import { Metrics } from '../common/metrics';
import { TOKENS } from '../common/tokens';
import { isEventError, validateEvent, ValidEvent } from './validate-event';

export const MAX_EVENTS_PER_REQUEST = 1000;

export interface EventResult {
  transaction_id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  error?: { code: string; message: string };
}

const CONFLICT = {
  code: 'transaction_id_conflict',
  message: 'this transaction_id was already stored with different content; a retry must resend the same event',
};

/**
 * POST /v1/events: validate each event, then store the valid ones in one transaction (customers created,
 * duplicates skipped by the (organization, transaction_id) unique key) and commit before answering.
 */
@Injectable()
export class IngestEventsService {
  private readonly logger = new Logger('ingest');
  /** (organization, external id) -> customer id, filled only after a commit. */
  private readonly customerIds = new Map<string, string>();

  constructor(
    @Inject(TOKENS.pool) private readonly pool: Pool,
    @Inject(TOKENS.config) private readonly config: TollgateConfig,
    private readonly priceQueue: PriceQueue,
    private readonly metrics: Metrics,
  ) {}

  async ingest(organizationId: string, body: unknown): Promise<{ results: EventResult[] }> {
    const events = (body as { events?: unknown } | null)?.events;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(events)) {
      throw ApiError.invalidRequest('the body must be {"events": [ ... ]}');
    }
    if (events.length < 1 || events.length > MAX_EVENTS_PER_REQUEST) {
      throw ApiError.invalidRequest(`"events" must hold 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${events.length}`);
    }
    const bad = events.findIndex((e) => typeof e !== 'object' || e === null || Array.isArray(e));
    if (bad >= 0) throw ApiError.invalidRequest(`events[${bad}] must be a JSON object`);

    const window = { now: Date.now(), maxFutureMs: this.config.maxFutureMs, backfillMs: this.config.backfillMs };
    const results: EventResult[] = new Array(events.length);
    const toStore: { index: number; event: ValidEvent }[] = [];
    const firstInRequest = new Map<string, ValidEvent>();
    for (let i = 0; i < events.length; i++) {
      const raw = events[i] as Record<string, unknown>;
      const v = validateEvent(raw, window);
      if (isEventError(v)) {
        const id = typeof raw.transaction_id === 'string' ? raw.transaction_id : null;
        results[i] = { transaction_id: id, status: 'rejected', error: v };
        continue;
      }
      const earlier = firstInRequest.get(v.transactionId);
      if (earlier) {
        results[i] = earlier.contentHash.equals(v.contentHash)
          ? { transaction_id: v.transactionId, status: 'duplicate' }
          : { transaction_id: v.transactionId, status: 'rejected', error: CONFLICT };
        continue;
      }
      firstInRequest.set(v.transactionId, v);
      toStore.push({ index: i, event: v });
    }

    if (toStore.length > 0) await this.store(organizationId, toStore, results);
    this.count(results);
    return { results };
  }

  private async store(organizationId: string, toStore: { index: number; event: ValidEvent }[], results: EventResult[]) {
    // A fixed lock order (by transaction_id) keeps concurrent batches with shared ids from deadlocking.
    toStore.sort((a, b) => (a.event.transactionId < b.event.transactionId ? -1 : 1));
    const batchId = randomUUID();
    const unknownCustomers = new Set<string>();
    for (const { event } of toStore) {
      if (!this.customerIds.has(organizationId + '\u0000' + event.externalCustomerId)) unknownCustomers.add(event.externalCustomerId);
    }

    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw ApiError.unavailable();
    }
    let inserted: { transactionIds: Set<string>; eventIds: string[] };
    let stored: Map<string, Buffer> = new Map();
    let created: Map<string, string> = new Map();
    try {
      await client.query('BEGIN');
      if (unknownCustomers.size > 0) created = await ensureCustomers(client, organizationId, [...unknownCustomers]);
      const rows = toStore.map(({ event }) => this.row(organizationId, event, created));
      inserted = await insertEvents(client, organizationId, batchId, rows);
      if (inserted.eventIds.length < rows.length) {
        const skipped = rows.filter((r) => !inserted.transactionIds.has(r.transactionId)).map((r) => r.transactionId);
        stored = await storedContentHashes(client, organizationId, skipped);
      }
      if (inserted.eventIds.length > 0) await insertBatch(client, organizationId, batchId, inserted.eventIds);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err as Error);
      throw err;
    }

    for (const [externalId, id] of created) this.customerIds.set(organizationId + '\u0000' + externalId, id);
    for (const { index, event } of toStore) {
      const id = event.transactionId;
      if (inserted.transactionIds.has(id)) results[index] = { transaction_id: id, status: 'accepted' };
      else if (stored.get(id)?.equals(event.contentHash)) results[index] = { transaction_id: id, status: 'duplicate' };
      else results[index] = { transaction_id: id, status: 'rejected', error: CONFLICT };
    }
    if (inserted.eventIds.length > 0) this.enqueuePricing(organizationId, batchId);
  }

  private row(organizationId: string, e: ValidEvent, created: Map<string, string>): EventRow {
    const customerId = created.get(e.externalCustomerId) ?? this.customerIds.get(organizationId + '\u0000' + e.externalCustomerId)!;
    return {
      transactionId: e.transactionId,
      customerId,
      externalCustomerId: e.externalCustomerId,
      occurredAt: new Date(e.occurredAt).toISOString(),
      timestampProvided: e.timestampProvided,
      provider: e.provider,
      model: e.model,
      usage: e.usage,
      cost: e.cost,
      taskId: e.taskId,
      traceId: e.traceId,
      sessionId: e.sessionId,
      feature: e.feature,
      status: e.status,
      retryOf: e.retryOf,
      metadata: e.metadata === null ? null : JSON.stringify(e.metadata),
      contentHash: e.contentHash,
    };
  }

  /** After the commit and off the reply's path: if Redis is down the sweeper finds the batch in Postgres. */
  private enqueuePricing(organizationId: string, batchId: string): void {
    this.priceQueue
      .enqueue([batchId])
      .catch((err: Error) => this.logger.warn({ msg: 'could not enqueue pricing; the sweeper will pick the batch up', batchId, err: err.message }));
  }

  private count(results: EventResult[]): void {
    let accepted = 0, duplicate = 0, rejected = 0;
    for (const r of results) {
      if (r.status === 'accepted') accepted++;
      else if (r.status === 'duplicate') duplicate++;
      else rejected++;
    }
    this.metrics.events.inc({ result: 'accepted' }, accepted);
    this.metrics.events.inc({ result: 'duplicate' }, duplicate);
    this.metrics.events.inc({ result: 'rejected' }, rejected);
  }
}
