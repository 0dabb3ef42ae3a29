import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { bullConnection, TollgateConfig } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { BillingModule } from '@tollgate/billing';
import { StripeModule } from '@tollgate/stripe';
import { AnalyticsModule } from './analytics/analytics.module';
import { BillingCycleModule } from './billing/billing-cycle.module';
import { CreditsModule } from './credits/credits.module';
import { WorkerMetricsModule } from './metrics/metrics.module';
import { PricingModule } from './pricing/pricing.module';
import { RatesSyncModule } from './rates/rates-sync.module';
import { SimulationsModule } from './simulations/simulations.module';
import { StripePushModule } from './stripe/stripe-push.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The worker: BullMQ processors over the shared database module. Each queue's module is imported here; the
 * stripe queue's and the Stripe gateway (with the request bucket every worker shares) only with STRIPE_SECRET_KEY.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: TollgateConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        DbModule.forRoot(config, 8, 'tollgate-worker'),
        BullModule.forRoot({ prefix: config.queuePrefix, connection: bullConnection(config.redisUrl, { maxRetriesPerRequest: null }) }),
        BillingModule.forRoot(),
        WorkerMetricsModule,
        RatesSyncModule,
        PricingModule,
        BillingCycleModule,
        WebhooksModule,
        SimulationsModule,
        AnalyticsModule,
        CreditsModule,
        ...(config.stripe
          ? [StripeModule.forRoot(config.stripe, { redisUrl: config.redisUrl, key: `${config.queuePrefix}:stripe:rate` }), StripePushModule]
          : []),
      ],
    };
  }
}
