import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { EventRow, EventsRepository, isDataError, type InlinePricing } from '@tollgate/db';
import { PriceOnIngest } from '../pricing/price-on-ingest';
import { PriceQueue } from '../pricing/price-queue';
import { INGEST_METRICS, type IngestMetrics } from './ingest-metrics';

/** A usage event as validated by the api (docs/api.md, "Events"). */
export interface IngestEvent {
  transactionId: string;
  externalCustomerId: string;
  /** Epoch milliseconds: the event's instant (the time received when omitted). */
  occurredAt: number;
  timestampProvided: boolean;
  provider: string;
  model: string;
  /** Counts in USAGE_DIMENSIONS order; integers up to 10^12 are exact as JS numbers. */
  usage: readonly number[];
  cost: string | null;
  taskId: string | null;
  traceId: string | null;
  sessionId: string | null;
  feature: string | null;
  /** usage_unknown: the SDK could not read the provider's usage; the event is stored and never priced. */
  status: 'success' | 'error' | 'usage_unknown';
  retryOf: string | null;
  metadata: Record<string, string> | null;
  /** What a retry must repeat exactly to be a duplicate (the api hashes the event's canonical content). */
  contentHash: Buffer;
}

/** An event the api refused, kept in the request's order. */
export interface RejectedEvent {
  rejected: { code: string; message: string };
  transactionId: string | null;
}

export interface IngestEventsCommand {
  organizationId: string;
  /** In request order. */
  events: readonly (IngestEvent | RejectedEvent)[];
}

/** One event's outcome, in the api's shape (docs/api.md, "Events"). */
export interface EventResult {
  transaction_id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  error?: { code: string; message: string };
}

const CONFLICT = {
  code: 'transaction_id_conflict',
  message: 'this transaction_id was already stored with different content; a retry must resend the same event',
};

const isRejected = (e: IngestEvent | RejectedEvent): e is RejectedEvent => (e as RejectedEvent).rejected !== undefined;

/**
 * Stores a request's valid events in one transaction (unknown customers created on the default plan,
 * duplicates skipped by the (organization, transaction_id) unique key), committed before it answers. Once its
 * customers are known, the batch is priced as it is stored, in the same statement (PriceOnIngest; docs/design.md,
 * "Pricing as the batch is stored"); any other batch, or one the statement stored pending, is handed to the
 * worker (one price job for the batch).
 */
@Injectable()
export class IngestEvents {
  private readonly logger = new Logger('ingest');
  /** organization -> external id -> customer id, filled only after a commit. */
  private readonly customerIds = new Map<string, Map<string, string>>();

  constructor(
    private readonly events: EventsRepository,
    private readonly priceQueue: PriceQueue,
    private readonly onIngest: PriceOnIngest,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @Optional() @Inject(INGEST_METRICS) private readonly metrics?: IngestMetrics,
  ) {}

  async execute({ organizationId, events }: IngestEventsCommand): Promise<EventResult[]> {
    const results: EventResult[] = new Array(events.length);
    const toStore: { index: number; event: IngestEvent }[] = [];
    const firstInRequest = new Map<string, IngestEvent>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (isRejected(e)) {
        results[i] = { transaction_id: e.transactionId, status: 'rejected', error: e.rejected };
        continue;
      }
      const earlier = firstInRequest.get(e.transactionId);
      if (earlier) {
        results[i] = earlier.contentHash.equals(e.contentHash)
          ? { transaction_id: e.transactionId, status: 'duplicate' }
          : { transaction_id: e.transactionId, status: 'rejected', error: CONFLICT };
        continue;
      }
      firstInRequest.set(e.transactionId, e);
      toStore.push({ index: i, event: e });
    }
    if (toStore.length > 0) await this.store(organizationId, toStore, results);
    return results;
  }

  private async store(organizationId: string, toStore: { index: number; event: IngestEvent }[], results: EventResult[]) {
    // A fixed lock order (by transaction_id) keeps concurrent batches with shared ids from deadlocking.
    toStore.sort((a, b) => (a.event.transactionId < b.event.transactionId ? -1 : 1));
    const batchId = randomUUID();
    let known = this.customerIds.get(organizationId);
    if (!known) this.customerIds.set(organizationId, (known = new Map()));
    const newCustomers = new Set<string>();
    for (const { event } of toStore) {
      if (!known.has(event.externalCustomerId)) newCustomers.add(event.externalCustomerId);
    }

    const cache = known;
    let inserted: number;
    let priced = false;
    if (newCustomers.size === 0 && this.config.ingestPricing === 'inline') {
      const rows = toStore.map(({ event: e }) => row(e, cache.get(e.externalCustomerId)!));
      ({ inserted, priced } = await this.storePriced(organizationId, batchId, rows));
    } else {
      const stored = await this.events.storeBatch(organizationId, batchId, [...newCustomers], (created) =>
        toStore.map(({ event: e }) => row(e, (cache.get(e.externalCustomerId) ?? created.get(e.externalCustomerId))!)),
      );
      inserted = stored.inserted;
      for (const [externalId, id] of stored.customers) cache.set(externalId, id);
    }

    if (inserted === toStore.length) {
      for (const { index, event } of toStore) results[index] = { transaction_id: event.transactionId, status: 'accepted' };
    } else {
      // Some ids were stored before (or by a concurrent request, now committed): ours carry our batch id.
      const stored = await this.events.stored(
        organizationId,
        toStore.map(({ event }) => event.transactionId),
      );
      for (const { index, event } of toStore) {
        const id = event.transactionId;
        const s = stored.get(id);
        if (s?.batchId === batchId) results[index] = { transaction_id: id, status: 'accepted' };
        else if (s?.contentHash.equals(event.contentHash)) results[index] = { transaction_id: id, status: 'duplicate' };
        else results[index] = { transaction_id: id, status: 'rejected', error: CONFLICT };
      }
    }
    if (inserted > 0 && !priced) this.enqueuePricing(batchId);
    if (inserted > 0 && priced) this.metrics?.pricedAtIngest(inserted);
  }

  /**
   * Priced in the statement that stores the batch when PriceOnIngest can price every event and nothing moved
   * since; else stored pending, as any batch, for the worker. Pricing here is only a shortcut: whatever goes
   * wrong in it (a plan that no longer compiles, an amount Postgres refuses) leaves the batch to the worker,
   * which has the reasons, the retries and the quarantine.
   */
  private async storePriced(organizationId: string, batchId: string, rows: EventRow[]): Promise<{ inserted: number; priced: boolean }> {
    let pricing: InlinePricing | null = null;
    try {
      pricing = await this.onIngest.prepare(organizationId, rows);
    } catch (err) {
      this.logger.warn({ msg: 'could not price the batch as it was stored; the worker will', batchId, err: (err as Error).message });
    }
    if (pricing !== null) {
      try {
        return await this.events.storePricedBatch(organizationId, batchId, rows, pricing);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.logger.warn({
          msg: 'Postgres refused an amount of the batch; the worker will price it',
          batchId,
          err: (err as Error).message,
        });
      }
    }
    const { inserted } = await this.events.storeBatch(organizationId, batchId, [], () => rows);
    return { inserted, priced: false };
  }

  /** After the commit and off the reply's path: if Redis is down the sweeper finds the batch in Postgres. */
  private enqueuePricing(batchId: string): void {
    this.priceQueue
      .enqueue([batchId])
      .catch((err: Error) =>
        this.logger.warn({ msg: 'could not enqueue pricing; the sweeper will pick the batch up', batchId, err: err.message }),
      );
  }
}

function row(e: IngestEvent, customerId: string): EventRow {
  return {
    transactionId: e.transactionId,
    customerId,
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
  };
}
