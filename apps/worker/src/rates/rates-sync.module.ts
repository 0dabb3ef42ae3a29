import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { RatesModule } from '@tollgate/rates';
import { KeptScheduler, logQueueError } from '../processors/kept-scheduler';
import { RatesProcessor } from '../processors/rates.processor';

export const RATES_SYNC_SCHEDULER = 'rates-sync';

/** Keeps one job scheduler on the rates queue, at RATE_SYNC_INTERVAL_SECONDS (none when RATE_SOURCES=none). */
@Injectable()
export class RatesSyncSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RatesSync');
  private scheduler?: KeptScheduler;

  constructor(
    @InjectQueue(QUEUES.rates) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    this.queue.on('error', logQueueError(this.logger, 'rates queue'));
    if ((this.config.rateSources ?? []).length === 0) {
      await this.queue.removeJobScheduler(RATES_SYNC_SCHEDULER);
      return;
    }
    // Upsert: every worker may run this at start; one scheduler results, with the current interval. Kept
    // every minute, so that a Redis that lost its data gets it back.
    this.scheduler = new KeptScheduler(
      () =>
        this.queue.upsertJobScheduler(
          RATES_SYNC_SCHEDULER,
          { every: this.config.rateSyncIntervalMs },
          {
            name: 'sync-rates',
            opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 100, removeOnFail: 100 },
          },
        ),
      60_000,
      this.logger,
    );
    await this.scheduler.start();
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
  }
}

/** The rates queue: the repeatable sync job and its processor. */
@Module({
  imports: [RatesModule, BullModule.registerQueue({ name: QUEUES.rates })],
  providers: [RatesProcessor, RatesSyncSchedule],
})
export class RatesSyncModule {}
