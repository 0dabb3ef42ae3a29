import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ExpireCreditGrants, RunBillingCycle, type BillingCycleResult } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';
import { logQueueError } from './kept-scheduler';

/**
 * A billing job (the repeatable tick, or the catch-up at start) runs one billing cycle; a `credit-expiry` job (its
 * own repeatable tick) expires the credit grants that are due.
 */
@Processor(QUEUES.billing)
export class BillingProcessor extends WorkerHost {
  private readonly logger = new Logger('billing');

  constructor(
    private readonly cycle: RunBillingCycle,
    private readonly expiry: ExpireCreditGrants,
  ) {
    super();
  }

  async process(job: Job): Promise<BillingCycleResult | { expired: number; customers: number }> {
    if (job.name === 'credit-expiry') return this.expiry.execute();
    const result = await this.cycle.execute();
    if (result.closed + result.finalized + result.failed > 0) this.logger.log({ msg: 'billing cycle', ...result });
    return result;
  }

  @OnWorkerEvent('failed')
  onFailed(_job: Job | undefined, err: Error) {
    this.logger.warn({ msg: 'a billing cycle failed; the next one starts again from Postgres', err: err.stack ?? err.message });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'billing worker')(err);
  }
}
