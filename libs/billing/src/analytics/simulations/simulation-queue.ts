import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';

export interface SimulationJob {
  simulationId: string;
}

/**
 * The `simulations` queue: one job per queued stress test. A job carries work only: the run claims the simulation
 * in Postgres (a guarded status move with a lease), so a job lost, repeated or run twice changes nothing, and the
 * worker's sweep queues again from Postgres what no run holds.
 */
@Injectable()
export class SimulationQueue implements OnApplicationShutdown {
  readonly queue: Queue<SimulationJob>;
  private readonly redis: Redis;

  constructor(@Inject(CONFIG) config: TollgateConfig) {
    // Its own connection, failing fast when Redis is down: the simulation is in Postgres and the sweep catches up.
    this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<SimulationJob>(QUEUES.simulations, {
      prefix: config.queuePrefix,
      connection: this.redis,
      defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 100, removeOnFail: 1000 },
    });
    this.queue.on('error', () => undefined);
  }

  /** One live job per simulation, whoever adds it (the api, the sweep). */
  async enqueue(simulationIds: readonly string[]): Promise<void> {
    if (simulationIds.length === 0) return;
    await this.queue.addBulk(
      simulationIds.map((simulationId) => ({
        name: 'run',
        data: { simulationId },
        opts: { deduplication: { id: simulationId } },
      })),
    );
  }

  async onApplicationShutdown() {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
