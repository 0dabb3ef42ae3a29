import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PriceBatch, PriceJob } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';

/** One job per ingest batch: the job is the command, the use case does the work. */
@Processor(QUEUES.price, { concurrency: Number(process.env.PRICE_CONCURRENCY ?? 4) })
export class PriceProcessor extends WorkerHost {
  constructor(private readonly priceBatch: PriceBatch) {
    super();
  }

  process(job: Job<PriceJob>) {
    return this.priceBatch.execute(job.data.batchId);
  }
}
