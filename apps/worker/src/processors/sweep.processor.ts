import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { SweepUnpricedBatches } from '@tollgate/billing';
import { CONFIG, QUEUES, TollgateConfig } from '@tollgate/config';
import { keptSweepScheduler, logQueueError, type KeptScheduler } from './kept-scheduler';

/** Every SWEEP_INTERVAL_SECONDS the sweep job runs the use case that refills the price queue from Postgres. */
@Processor(QUEUES.sweep)
export class SweepProcessor extends WorkerHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('sweeper');
  private scheduler?: KeptScheduler;

  constructor(
    private readonly sweep: SweepUnpricedBatches,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @InjectQueue(QUEUES.sweep) private readonly sweepQueue: Queue,
  ) {
    super();
  }

  async onModuleInit() {
    this.sweepQueue.on('error', logQueueError(this.logger, 'sweep queue'));
    // Kept: after Redis lost its data, the sweeper is what finds the unpriced batches again.
    this.scheduler = keptSweepScheduler(this.sweepQueue, 'sweep', this.config.sweepIntervalMs, this.logger);
    await this.scheduler.start();
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
  }

  async process() {
    const result = await this.sweep.execute();
    if (result.batches > 0) this.logger.log({ msg: 're-enqueued batches from Postgres', ...result });
    return result;
  }

  @OnWorkerEvent('failed')
  onFailed(_job: Job | undefined, err: Error) {
    this.logger.warn({ msg: 'the sweep failed; the next one tries again', err: err.stack ?? err.message });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'sweep worker')(err);
  }
}
