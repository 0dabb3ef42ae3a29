import { DynamicModule, Module } from '@nestjs/common';
import type { StripeSettings } from '@tollgate/config';
import { RedisStripeRateLimiter, StripeRateLimiter } from './rate-limiter';
import { StripeGateway } from './stripe-gateway';
import { STRIPE_SETTINGS, StripeSdkGateway } from './stripe-sdk-gateway';

/** Where the shared request bucket lives (the worker's): every process calling Stripe for one account uses one key. */
export interface StripeRateLimitStore {
  redisUrl: string;
  /** `<QUEUE_PREFIX>:stripe:rate`. */
  key: string;
}

/**
 * Provides StripeGateway. An app imports it only when `config.stripe` is set: without STRIPE_SECRET_KEY the
 * push is off and nothing here is built. With `rateLimit` (the worker) every call takes its turn from the
 * account's bucket in Redis (STRIPE_REQUESTS_PER_SECOND, STRIPE_ENDPOINT_REQUESTS_PER_SECOND).
 */
@Module({})
export class StripeModule {
  static forRoot(settings: StripeSettings, rateLimit?: StripeRateLimitStore): DynamicModule {
    const limiter = rateLimit && {
      provide: StripeRateLimiter,
      useFactory: () =>
        new RedisStripeRateLimiter(rateLimit.redisUrl, rateLimit.key, {
          perSecond: settings.requestsPerSecond,
          perOperationPerSecond: settings.endpointRequestsPerSecond,
        }),
    };
    return {
      module: StripeModule,
      global: true,
      providers: [
        { provide: STRIPE_SETTINGS, useValue: settings },
        { provide: StripeGateway, useClass: StripeSdkGateway },
        ...(limiter ? [limiter] : []),
      ],
      exports: [StripeGateway],
    };
  }
}
