import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { PushInvoiceToStripe, SweepStripePushes, type PushResult, type StripeJob } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';
import { logQueueError } from './kept-scheduler';

/**
 * The stripe queue: a `push` (or `void`) job does whatever an invoice's push has left (PushInvoiceToStripe);
 * the `sweep` job, every SWEEP_INTERVAL_SECONDS, gives back to the queue the pushes whose jobs were lost. A push
 * another worker holds waits for its lease (moved to delayed, no attempt spent); a 5xx, a network error or a
 * timeout fails the job, which BullMQ retries with backoff; the request rate is the gateway's (a Redis bucket).
 */
@Processor(QUEUES.stripe, { concurrency: 16 })
export class StripeProcessor extends WorkerHost {
  private readonly logger = new Logger('stripe');

  constructor(
    private readonly push: PushInvoiceToStripe,
    private readonly sweep: SweepStripePushes,
  ) {
    super();
  }

  async process(job: Job<StripeJob>, token?: string): Promise<PushResult | { pushes: number }> {
    if (job.name === 'sweep') {
      const swept = await this.sweep.execute();
      if (swept.pushes > 0) this.logger.log({ msg: 're-enqueued Stripe pushes from Postgres', ...swept });
      return swept;
    }
    const result = await this.push.execute({ invoiceId: job.data.invoiceId! });
    if (result.outcome === 'busy') {
      await job.moveToDelayed(result.retryAt.getTime() + 100, token);
      throw new DelayedError();
    }
    return result;
  }

  /** A retryable Stripe error (or Postgres down): BullMQ retries it; after the last retry the sweeper does. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<StripeJob> | undefined, err: Error) {
    this.logger.warn({
      msg: 'a Stripe push job failed; it is retried',
      job: job?.name,
      invoice: job?.data.invoiceId,
      attempt: job?.attemptsMade,
      err: err.message,
    });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'stripe worker')(err);
  }
}
