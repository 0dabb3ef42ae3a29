import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { KeptScheduler, logQueueError } from '../processors/kept-scheduler';
import { StripeProcessor } from '../processors/stripe.processor';

/** The push sweeper every SWEEP_INTERVAL_SECONDS (one job scheduler, whichever worker upserts it), and one run at start. */
@Injectable()
export class StripeSweepSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('stripe');
  private scheduler?: KeptScheduler;

  constructor(
    @InjectQueue(QUEUES.stripe) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    this.queue.on('error', logQueueError(this.logger, 'stripe queue'));
    const opts = { removeOnComplete: 10, removeOnFail: 10 };
    // Kept: after Redis lost its data, the sweep is what gives the pushes back to the queue.
    this.scheduler = new KeptScheduler(
      () => this.queue.upsertJobScheduler('stripe-sweep', { every: this.config.sweepIntervalMs }, { name: 'sweep', opts }),
      Math.min(Math.max(this.config.sweepIntervalMs, 1000), 60_000),
      this.logger,
    );
    await this.scheduler.start();
    await this.queue.add('sweep', {}, opts);
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
  }
}

/** The stripe queue's processor and sweeper; imported only when STRIPE_SECRET_KEY is set (the push is on). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.stripe })],
  providers: [StripeProcessor, StripeSweepSchedule],
})
export class StripePushModule {}
