import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { BillingProcessor } from '../processors/billing.processor';

export const BILLING_SCHEDULER = 'billing-cycle';

/**
 * The billing cycle every BILLING_INTERVAL_SECONDS (one job scheduler, whichever worker upserts it), and one
 * run at start: a worker that was down closes and finalizes, from Postgres, everything that came due meanwhile.
 */
@Injectable()
export class BillingCycleSchedule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QUEUES.billing) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    const opts = { removeOnComplete: 10, removeOnFail: 50 };
    await this.queue.upsertJobScheduler(BILLING_SCHEDULER, { every: this.config.billingIntervalMs }, { name: 'billing-cycle', opts });
    await this.queue.add('billing-catch-up', {}, opts);
  }
}

/** The billing queue: the repeatable cycle, the catch-up at start, and their processor (one cycle at a time per worker). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billing })],
  providers: [BillingProcessor, BillingCycleSchedule],
})
export class BillingCycleModule {}
