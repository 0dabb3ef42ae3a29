import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { StripeProcessor } from '../processors/stripe.processor';

/** The push sweeper every SWEEP_INTERVAL_SECONDS (one job scheduler, whichever worker upserts it), and one run at start. */
@Injectable()
export class StripeSweepSchedule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QUEUES.stripe) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    const opts = { removeOnComplete: 10, removeOnFail: 10 };
    await this.queue.upsertJobScheduler('stripe-sweep', { every: this.config.sweepIntervalMs }, { name: 'sweep', opts });
    await this.queue.add('sweep', {}, opts);
  }
}

/** The stripe queue's processor and sweeper; imported only when STRIPE_SECRET_KEY is set (the push is on). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.stripe })],
  providers: [StripeProcessor, StripeSweepSchedule],
})
export class StripePushModule {}
