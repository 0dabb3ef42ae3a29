import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PriceQueue } from '@tollgate/billing';
import type { Pool } from 'pg';
import { ensureCustomers, EventRow, storedEvents, storeEvents } from '@tollgate/db';
import type { TollgateConfig } from '@tollgate/config';
import { ApiError } from '../common/api-error';
import { Metrics } from '../common/metrics';
import { TOKENS } from '../common/tokens';
import { isEventError, validateEvent, ValidEvent } from './validate-event';

export interface EventResult {
  transaction_id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  error?: { code: string; message: string; details?: { field: string; message: string }[] };
}

const CONFLICT = {
  code: 'transaction_id_conflict',
  message: 'this transaction_id was already stored with different content; a retry must resend the same event',
};

/**
 * POST /v1/events: validate each event, then store the valid ones in one transaction (customers created,
 * duplicates skipped by the (organization, transaction_id) unique key) and commit before answering.
 * Once its customers are known, a batch costs one statement: see STORE_EVENTS_SQL.
 */
@Injectable()
export class IngestEventsService {
  private readonly logger = new Logger('ingest');
  /** organization -> external id -> customer id, filled only after a commit. */
  private readonly customerIds = new Map<string, Map<string, string>>();

  constructor(
    @Inject(TOKENS.pool) private readonly pool: Pool,
    @Inject(TOKENS.config) private readonly config: TollgateConfig,
    private readonly priceQueue: PriceQueue,
    private readonly metrics: Metrics,
  ) {}

  /** `events`: 1 to 1,000 JSON objects (the envelope is checked by the controller's schema). */
  async ingest(organizationId: string, events: Record<string, unknown>[]): Promise<{ results: EventResult[] }> {
    const window = { now: Date.now(), maxFutureMs: this.config.maxFutureMs, backfillMs: this.config.backfillMs };
    const results: EventResult[] = new Array(events.length);
    const toStore: { index: number; event: ValidEvent }[] = [];
    const firstInRequest = new Map<string, ValidEvent>();
    for (let i = 0; i < events.length; i++) {
      const raw = events[i];
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
    let known = this.customerIds.get(organizationId);
    if (!known) this.customerIds.set(organizationId, (known = new Map()));
    const unknownCustomers = new Set<string>();
    for (const { event } of toStore) {
      if (!known.has(event.externalCustomerId)) unknownCustomers.add(event.externalCustomerId);
    }

    // The common case, every customer known: one statement, its own transaction, committed before the reply.
    let inserted: number;
    if (unknownCustomers.size === 0) {
      inserted = await storeEvents(this.pool, organizationId, batchId, this.rows(toStore, known));
    } else {
      inserted = await this.storeWithNewCustomers(organizationId, batchId, toStore, known, [...unknownCustomers]);
    }

    if (inserted === toStore.length) {
      for (const { index, event } of toStore) results[index] = { transaction_id: event.transactionId, status: 'accepted' };
    } else {
      // Some ids were stored before (or by a concurrent request, now committed): ours carry our batch id.
      const stored = await storedEvents(this.pool, organizationId, toStore.map(({ event }) => event.transactionId));
      for (const { index, event } of toStore) {
        const id = event.transactionId;
        const s = stored.get(id);
        if (s?.batchId === batchId) results[index] = { transaction_id: id, status: 'accepted' };
        else if (s?.contentHash.equals(event.contentHash)) results[index] = { transaction_id: id, status: 'duplicate' };
        else results[index] = { transaction_id: id, status: 'rejected', error: CONFLICT };
      }
    }
    if (inserted > 0) this.enqueuePricing(organizationId, batchId);
  }

  /** Customers seen for the first time are created in the same transaction as their events. */
  private async storeWithNewCustomers(
    organizationId: string,
    batchId: string,
    toStore: { index: number; event: ValidEvent }[],
    known: Map<string, string>,
    unknownCustomers: string[],
  ): Promise<number> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw ApiError.unavailable();
    }
    let inserted: number;
    let created: Map<string, string>;
    try {
      await client.query('BEGIN');
      created = await ensureCustomers(client, organizationId, unknownCustomers);
      inserted = await storeEvents(client, organizationId, batchId, this.rows(toStore, known, created));
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err as Error);
      throw err;
    }
    for (const [externalId, id] of created) known.set(externalId, id);
    return inserted;
  }

  private rows(toStore: { event: ValidEvent }[], known: Map<string, string>, created?: Map<string, string>): EventRow[] {
    return toStore.map(({ event: e }) => ({
      transactionId: e.transactionId,
      customerId: (known.get(e.externalCustomerId) ?? created?.get(e.externalCustomerId))!,
      externalCustomerId: e.externalCustomerId,
      occurredAt: e.occurredAt,
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
    }));
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
