import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullConnection, QUEUE_PREFIX, QUEUES, TollgateConfig } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { AuthGuard } from './auth/auth.guard';
import { RateLimiter } from './auth/rate-limiter';
import { ErrorFilter } from './common/error.filter';
import { Metrics } from './common/metrics';
import { TOKENS } from './common/tokens';
import { EventsController } from './events/events.controller';
import { IngestEventsService } from './events/ingest-events.service';
import { ListEventsService } from './events/list-events.service';
import { HealthController } from './health/health.controller';
import { OrganizationsController } from './organizations/organizations.controller';

class CloseRedis implements OnApplicationShutdown {
  constructor(@Inject(TOKENS.redis) private readonly redis: Redis, @Inject(TOKENS.priceQueue) private readonly queue: Queue) {}

  async onApplicationShutdown() {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

@Module({})
export class ApiModule {
  static forRoot(config: TollgateConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [DbModule.forRoot(config, 12)],
      controllers: [EventsController, OrganizationsController, HealthController],
      providers: [
        {
          provide: TOKENS.redis,
          useFactory: () => {
            const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
            redis.on('error', () => undefined);
            return redis;
          },
        },
        {
          provide: TOKENS.priceQueue,
          useFactory: () => {
            // Fail fast when Redis is down: the events are already committed and the sweeper re-enqueues them.
            const queue = new Queue(QUEUES.price, {
              prefix: QUEUE_PREFIX,
              connection: bullConnection(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
              defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
            });
            queue.on('error', () => undefined);
            return queue;
          },
        },
        { provide: TOKENS.rateLimiter, useValue: new RateLimiter(config.rateLimitPerSecond) },
        Metrics,
        CloseRedis,
        IngestEventsService,
        ListEventsService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
