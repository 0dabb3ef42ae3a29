import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CheckMarginTargets, ExpireCreditGrants, RunBillingCycle, type BillingCycleResult } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';
import { logQueueError } from './kept-scheduler';

/** How often a worker looks for customers below their organisation's target margin (margin.below_target). */
const MARGIN_CHECK_INTERVAL_MS = 3_600_000;

/**
 * A billing job (the repeatable tick, or the catch-up at start) runs one billing cycle, then, at most once an hour
 * per worker, the margin check (which publishes each customer's period once, however many workers run it); a
 * `credit-expiry` job (its own repeatable tick) expires the credit grants that are due.
 */
@Processor(QUEUES.billing)
export class BillingProcessor extends WorkerHost {
  private readonly logger = new Logger('billing');

  private marginCheckedAt = 0;

  constructor(
    private readonly cycle: RunBillingCycle,
    private readonly expiry: ExpireCreditGrants,
    private readonly marginTargets: CheckMarginTargets,
  ) {
    super();
  }

  async process(job: Job): Promise<BillingCycleResult | { expired: number; customers: number }> {
    if (job.name === 'credit-expiry') return this.expiry.execute();
    const result = await this.cycle.execute();
    if (result.closed + result.finalized + result.failed > 0) this.logger.log({ msg: 'billing cycle', ...result });
    if (Date.now() - this.marginCheckedAt >= MARGIN_CHECK_INTERVAL_MS) {
      this.marginCheckedAt = Date.now();
      // Its failure is not the cycle's: logged, and tried again an hour later.
      await this.marginTargets.execute().then(
        (margins) => margins.published > 0 && this.logger.log({ msg: 'margin.below_target published', ...margins }),
        (err: Error) => this.logger.error({ msg: 'the margin check failed', err: err.stack ?? err.message }),
      );
    }
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
