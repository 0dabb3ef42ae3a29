import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import type { DueDelivery } from '@tollgate/db';

/** A `deliver` job: one attempt of a delivery. The queue also runs its own `sweep` job (no data). */
export interface WebhookJob {
  deliveryId?: string;
}

/**
 * The `webhooks` queue. A job carries one attempt of one delivery, its id `<delivery id>.<attempt number>`: adding
 * an attempt that has a live job adds nothing, and jobs leave Redis when they end, so the sweeper can always add
 * back an attempt whose job was lost. What is sent, and when, is decided in Postgres (DeliverWebhook).
 */
@Injectable()
export class WebhookQueue implements OnApplicationShutdown {
  readonly queue: Queue<WebhookJob>;
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) config: TollgateConfig) {
    // Fail fast when Redis is down: the caller has committed already and the sweeper will catch up. Its own
    // connection, so that shutting down ends it even while Redis is away (a queue's close() cannot then).
    this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<WebhookJob>(QUEUES.webhooks, {
      prefix: config.queuePrefix,
      connection: this.redis,
      // A job fails only when Postgres does (a receiver's failure is recorded, not thrown): retried a few times,
      // then dropped, and the sweeper adds the attempt back from Postgres.
      defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', () => undefined);
  }

  /** Each delivery's next attempt, delayed until it is due. */
  async schedule(deliveries: readonly DueDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      deliveries.map((d) => ({
        name: 'deliver',
        data: { deliveryId: d.id },
        opts: { jobId: `${d.id}.${d.attempt}`, delay: Math.max(0, d.dueAt.getTime() - now) },
      })),
    );
  }

  async onApplicationShutdown() {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
