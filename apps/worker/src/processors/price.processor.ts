import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PriceBatch, PriceJob } from '@tollgate/billing';
import { QUEUES, TollgateConfig } from '@tollgate/config';
import { CONFIG } from '@tollgate/db';

/** One job per ingest batch: the job is the command, the use case does the work. */
@Processor(QUEUES.price)
export class PriceProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly priceBatch: PriceBatch,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {
    super();
  }

  /** PRICE_CONCURRENCY, validated with the rest of the configuration (the worker exists by now). */
  onApplicationBootstrap() {
    this.worker.concurrency = this.config.priceConcurrency;
  }

  process(job: Job<PriceJob>) {
    return this.priceBatch.execute(job.data.batchId);
  }
}
