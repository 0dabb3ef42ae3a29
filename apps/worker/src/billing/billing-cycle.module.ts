import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { BillingProcessor } from '../processors/billing.processor';
import { KeptScheduler, logQueueError } from '../processors/kept-scheduler';

export const BILLING_SCHEDULER = 'billing-cycle';
export const CREDIT_EXPIRY_SCHEDULER = 'credit-expiry';

/**
 * The billing cycle every BILLING_INTERVAL_SECONDS (one job scheduler, whichever worker upserts it), and one
 * run at start: a worker that was down closes and finalizes, from Postgres, everything that came due meanwhile.
 * On the same queue, the credit expiry every CREDIT_EXPIRY_INTERVAL_SECONDS (its own scheduler, kept the same way):
 * Postgres says which grants are due, so a run after any outage expires everything that came due.
 */
@Injectable()
export class BillingCycleSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('billing');
  private scheduler?: KeptScheduler;
  private expiry?: KeptScheduler;

  constructor(
    @InjectQueue(QUEUES.billing) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    this.queue.on('error', logQueueError(this.logger, 'billing queue'));
    const opts = { removeOnComplete: 10, removeOnFail: 50 };
    // Kept: a Redis that lost its data gets the cycle back.
    this.scheduler = new KeptScheduler(
      () => this.queue.upsertJobScheduler(BILLING_SCHEDULER, { every: this.config.billingIntervalMs }, { name: 'billing-cycle', opts }),
      Math.min(Math.max(this.config.billingIntervalMs, 1000), 60_000),
      this.logger,
    );
    await this.scheduler.start();
    this.expiry = new KeptScheduler(
      () =>
        this.queue.upsertJobScheduler(
          CREDIT_EXPIRY_SCHEDULER,
          { every: this.config.creditExpiryIntervalMs },
          { name: 'credit-expiry', opts },
        ),
      Math.min(Math.max(this.config.creditExpiryIntervalMs, 1000), 60_000),
      this.logger,
    );
    await this.expiry.start();
    await this.queue.add('billing-catch-up', {}, opts);
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
    this.expiry?.stop();
  }
}

/** The billing queue: the repeatable cycle, the catch-up at start, and their processor (one cycle at a time per worker). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billing })],
  providers: [BillingProcessor, BillingCycleSchedule],
})
export class BillingCycleModule {}
