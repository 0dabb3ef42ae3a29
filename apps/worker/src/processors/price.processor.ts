import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { PriceBatch, PriceJob } from '@tollgate/billing';
import { CONFIG, QUEUES, TollgateConfig } from '@tollgate/config';
import { logQueueError } from './kept-scheduler';

/**
 * One job per ingest batch: the job is the command, the use case does the work. A batch has one live job at a
 * time, so a job whose worker died (kill -9) must be found quickly: its lock lapses after 10 s and BullMQ's
 * stalled check, every 5 s, puts it back in the queue (defaults: 30 s each).
 */
@Processor(QUEUES.price, { lockDuration: 10_000, stalledInterval: 5_000 })
export class PriceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('price');

  constructor(
    private readonly priceBatch: PriceBatch,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @InjectQueue(QUEUES.price) private readonly queue: Queue,
  ) {
    super();
  }

  /** PRICE_CONCURRENCY, validated with the rest of the configuration (the worker exists by now). */
  onApplicationBootstrap() {
    this.worker.concurrency = this.config.priceConcurrency;
    this.queue.on('error', logQueueError(this.logger, 'price queue'));
  }

  async process(job: Job<PriceJob>) {
    const result = await this.priceBatch.execute({ batchId: job.data.batchId });
    if (result.outcome === 'quarantined') {
      this.logger.error({
        msg: 'batch quarantined: its pricing kept failing the same way',
        batchId: job.data.batchId,
        events: result.events,
        err: result.error,
      });
    } else if (result.refused > 0) {
      this.logger.error({
        msg: "Postgres refused some events' amounts: left unpriced with the reason, the rest of the batch priced",
        batchId: job.data.batchId,
        events: result.refused,
        err: result.refusedError,
      });
    }
    return result;
  }

  /** A failed attempt (retried with backoff until the batch is priced or quarantined). */
  @OnWorkerEvent('failed')
  onFailed(job: Job<PriceJob> | undefined, err: Error) {
    this.logger.warn({
      msg: 'pricing a batch failed',
      batchId: job?.data.batchId,
      attempt: job?.attemptsMade,
      err: err.stack ?? err.message,
    });
  }

  /** Redis away or flushed (e.g. "Missing key for job … moveToFinished"): logged; the worker reconnects and goes on. */
  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'price worker')(err);
  }
}
