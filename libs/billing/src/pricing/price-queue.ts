import { Queue } from 'bullmq';
import { bullConnection, QUEUES } from '@tollgate/config';

export interface PriceJob {
  batchId: string;
}

/**
 * The `price` queue, one job per ingest batch. Jobs carry work only: a job lost, repeated or run twice
 * changes nothing, because pricing is guarded in Postgres and the sweeper re-enqueues from Postgres.
 */
export class PriceQueue {
  readonly queue: Queue<PriceJob>;

  constructor(redisUrl: string, prefix: string) {
    // Fail fast when Redis is down: the caller has committed already and the sweeper will catch up.
    this.queue = new Queue<PriceJob>(QUEUES.price, {
      prefix,
      connection: bullConnection(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
      defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: 1000, removeOnFail: 5000 },
    });
    this.queue.on('error', () => undefined);
  }

  async enqueue(batchIds: string[]): Promise<void> {
    if (batchIds.length === 0) return;
    await this.queue.addBulk(batchIds.map((batchId) => ({ name: 'price-batch', data: { batchId } })));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
