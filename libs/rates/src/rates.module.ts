import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { RatesRepository } from '@tollgate/db';
import { RateBook } from './rate-book';
import { DEFAULT_SOURCE_ORDER, parseSourceOrder } from './source-order';
import { listSourcesOf } from './sources/registry';
import { SyncRates } from './sync/sync-rates';

@Injectable()
class RateBookLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(RateBook) private readonly book: RateBook) {}

  // Before the app serves or works: a fresh install has the bundled snapshot in force at once.
  async onModuleInit() {
    await this.book.start();
  }

  onApplicationShutdown() {
    this.book.stop();
  }
}

function rateBook(repo: RatesRepository, config: TollgateConfig): RateBook {
  const logger = new Logger('RateBook');
  return new RateBook(repo, {
    order: config.rateSourceOrder ? parseSourceOrder(config.rateSourceOrder) : DEFAULT_SOURCE_ORDER,
    pollMs: config.ratePollMs ?? 5000,
    onError: (error) => logger.warn(`could not check for new rate versions: ${(error as Error).message}`),
  });
}

function syncRates(repo: RatesRepository, book: RateBook, config: TollgateConfig): SyncRates {
  // The configuration carries each source's settings (SourceSettings).
  return new SyncRates(repo, book, { ...config, sources: listSourcesOf(config), timeoutMs: config.rateSyncTimeoutMs ?? 120_000 });
}

/**
 * The rate book (rate lookups for pricing) and the sync use case, for the api and the worker. Global: one rate
 * book per process, whichever modules import it. Needs DbModule (its RatesRepository, CONFIG).
 */
@Global()
@Module({
  providers: [
    { provide: RateBook, useFactory: rateBook, inject: [RatesRepository, CONFIG] },
    { provide: SyncRates, useFactory: syncRates, inject: [RatesRepository, RateBook, CONFIG] },
    RateBookLifecycle,
  ],
  exports: [RateBook, SyncRates],
})
export class RatesModule {}
