import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { RatesModule } from '@tollgate/rates';
import { RatesProcessor } from '../processors/rates.processor';

export const RATES_SYNC_SCHEDULER = 'rates-sync';

/** Keeps one job scheduler on the rates queue, at RATE_SYNC_INTERVAL_SECONDS (none when RATE_SOURCES=none). */
@Injectable()
export class RatesSyncSchedule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QUEUES.rates) private readonly queue: Queue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async onApplicationBootstrap() {
    if ((this.config.rateSources ?? []).length === 0) {
      await this.queue.removeJobScheduler(RATES_SYNC_SCHEDULER);
      return;
    }
    // Upsert: every worker may run this at start; one scheduler results, with the current interval.
    await this.queue.upsertJobScheduler(
      RATES_SYNC_SCHEDULER,
      { every: this.config.rateSyncIntervalMs },
      {
        name: 'sync-rates',
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  }
}

/** The rates queue: the repeatable sync job and its processor. */
@Module({
  imports: [RatesModule, BullModule.registerQueue({ name: QUEUES.rates })],
  providers: [RatesProcessor, RatesSyncSchedule],
})
export class RatesSyncModule {}
