import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DeliverWebhook, SweepWebhookDeliveries, type WebhookJob } from '@tollgate/billing';
import { CONFIG, QUEUES, TollgateConfig } from '@tollgate/config';
import { keptSweepScheduler, logQueueError, type KeptScheduler } from './kept-scheduler';

/**
 * The webhooks queue: a `deliver` job is one attempt of one delivery (the use case claims it in Postgres, sends
 * it, records the outcome and schedules the next attempt); the `sweep` job, every SWEEP_INTERVAL_SECONDS, gives
 * back to the queue the deliveries whose jobs were lost. WEBHOOK_CONCURRENCY attempts at once, each bounded by
 * WEBHOOK_TIMEOUT_SECONDS, so slow receivers never hold up the others.
 */
@Processor(QUEUES.webhooks)
export class WebhookProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('webhooks');
  private scheduler?: KeptScheduler;

  constructor(
    private readonly deliver: DeliverWebhook,
    private readonly sweep: SweepWebhookDeliveries,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue<WebhookJob>,
  ) {
    super();
  }

  async onModuleInit() {
    this.queue.on('error', logQueueError(this.logger, 'webhooks queue'));
    // Kept: after Redis lost its data, the sweep is what gives the deliveries back to the queue.
    this.scheduler = keptSweepScheduler(this.queue, 'webhook-sweep', this.config.sweepIntervalMs, this.logger);
    await this.scheduler.start();
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
  }

  onApplicationBootstrap() {
    this.worker.concurrency = this.config.webhooks.concurrency;
  }

  async process(job: Job<WebhookJob>) {
    if (job.name === 'sweep') {
      const swept = await this.sweep.execute();
      if (swept.deliveries > 0) this.logger.log({ msg: 're-enqueued webhook deliveries from Postgres', ...swept });
      return swept;
    }
    const result = await this.deliver.execute({ deliveryId: job.data.deliveryId! });
    if (result.outcome === 'failed')
      this.logger.warn({
        msg: 'webhook delivery given up after 24 hours of failed attempts',
        deliveryId: job.data.deliveryId,
        attempts: result.attempt,
        err: result.error,
      });
    return result;
  }

  /** Only Postgres failing fails a job (a receiver's failure is recorded): retried, then the sweeper's. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<WebhookJob> | undefined, err: Error) {
    this.logger.warn({
      msg: 'a webhook job failed',
      job: job?.name,
      deliveryId: job?.data.deliveryId,
      attempt: job?.attemptsMade,
      err: err.stack ?? err.message,
    });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'webhooks worker')(err);
  }
}
