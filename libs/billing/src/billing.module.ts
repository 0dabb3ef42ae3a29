import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { TollgateConfig } from '@tollgate/config';
import { CONFIG } from '@tollgate/db';
import { PriceQueue } from './pricing/price-queue';
import { Repricer } from './pricing/repricer';
import { CustomerUsage } from './usage/customer-usage';

@Injectable()
class ClosePriceQueue implements OnApplicationShutdown {
  constructor(private readonly queue: PriceQueue) {}
  async onApplicationShutdown() {
    await this.queue.close().catch(() => undefined);
  }
}

/** The billing use cases shared by the api and the worker (the worker adds PriceBatch). Needs DbModule. */
@Global()
@Module({})
export class BillingModule {
  static forRoot(): DynamicModule {
    return {
      module: BillingModule,
      providers: [
        { provide: PriceQueue, useFactory: (config: TollgateConfig) => new PriceQueue(config.redisUrl, config.queuePrefix), inject: [CONFIG] },
        ClosePriceQueue,
        Repricer,
        CustomerUsage,
      ],
      exports: [PriceQueue, Repricer, CustomerUsage],
    };
  }
}
