import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { PriceQueue, RATE_LOOKUP, RateLookup } from '@tollgate/billing';
import { QUEUES, TollgateConfig } from '@tollgate/config';
import { CONFIG, DB_POOL, PricingRepository } from '@tollgate/db';

/**
 * Redis only carries work: every SWEEP_INTERVAL_SECONDS this re-enqueues, from Postgres, the batches still
 * unpriced (Redis lost its data, a worker died mid-batch) and, once rates changed, those left unpriced for a
 * missing rate.
 */
@Processor(QUEUES.sweep)
export class SweepProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger('sweeper');
  private readonly repo: PricingRepository;
  private ratesSeen = -1;

  constructor(
    @Inject(DB_POOL) pool: Pool,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @Inject(RATE_LOOKUP) private readonly rates: RateLookup,
    @InjectQueue(QUEUES.sweep) private readonly sweepQueue: Queue,
    private readonly priceQueue: PriceQueue,
  ) {
    super();
    this.repo = new PricingRepository(pool);
  }

  async onModuleInit() {
    await this.sweepQueue.upsertJobScheduler('sweep', { every: this.config.sweepIntervalMs }, { name: 'sweep', opts: { removeOnComplete: 10, removeOnFail: 10 } });
  }

  async process() {
    const generation = this.rates.generation;
    const ratesChanged = generation !== this.ratesSeen;
    const batches = await this.repo.batchesToSweep(this.config.sweepIntervalMs / 2, ratesChanged);
    await this.priceQueue.enqueue(batches);
    this.ratesSeen = generation;
    if (batches.length > 0) this.logger.log({ msg: 're-enqueued batches from Postgres', batches: batches.length, ratesChanged });
    return { batches: batches.length };
  }
}
