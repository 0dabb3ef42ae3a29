import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';

export interface PriceJob {
  batchId: string;
}

/**
 * The `price` queue, one job per ingest batch. Jobs carry work only: a job lost, repeated or run twice
 * changes nothing, because pricing is guarded in Postgres and the sweeper re-enqueues from Postgres.
 */
@Injectable()
export class PriceQueue implements OnApplicationShutdown {
  readonly queue: Queue<PriceJob>;
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) config: TollgateConfig) {
    // Fail fast when Redis is down: the caller has committed already and the sweeper will catch up. Its own
    // connection, so that shutting down ends it even while Redis is away (a queue's close() cannot then).
    this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<PriceJob>(QUEUES.price, {
      prefix: config.queuePrefix,
      connection: this.redis,
      // As many attempts as Postgres counts before quarantining the batch (PRICE_MAX_ATTEMPTS).
      defaultJobOptions: {
        attempts: config.priceMaxAttempts,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    });
    this.queue.on('error', () => undefined);
  }

  /**
   * One live job per batch, whoever adds it (the api, a repricing, the sweeper): deduplicated by batch id while
   * a job waits, and, while one runs, one follow-up kept (the batch may have been re-opened after it read it).
   */
  async enqueue(batchIds: readonly string[]): Promise<void> {
    if (batchIds.length === 0) return;
    await this.queue.addBulk(
      batchIds.map((batchId) => ({
        name: 'price-batch',
        data: { batchId },
        opts: { deduplication: { id: batchId, keepLastIfActive: true } },
      })),
    );
  }

  async onApplicationShutdown() {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
