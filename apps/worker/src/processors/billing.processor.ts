import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RunBillingCycle, type BillingCycleResult } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';
import { logQueueError } from './kept-scheduler';

/** A billing job (the repeatable tick, or the catch-up at start) runs one billing cycle. */
@Processor(QUEUES.billing)
export class BillingProcessor extends WorkerHost {
  private readonly logger = new Logger('billing');

  constructor(private readonly cycle: RunBillingCycle) {
    super();
  }

  async process(): Promise<BillingCycleResult> {
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
