import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import Redis from 'ioredis';
import { BillingModule } from '@tollgate/billing';
import { TollgateConfig } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { StripeModule } from '@tollgate/stripe';
import { SimulationsController } from './analytics/simulations.controller';
import { DashboardRoutes } from './dashboard/dashboard-routes';
import { AnalyticsController } from './analytics/analytics.controller';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyAuth } from './auth/api-key-auth';
import { AuthGuard } from './auth/auth.guard';
import { RateLimiter } from './auth/rate-limiter';
import { ErrorFilter } from './common/error.filter';
import { ApiMetricsModule } from './common/metrics.module';
import { TOKENS } from './common/tokens';
import { EventsController } from './events/events.controller';
import { HealthController } from './health/health.controller';
import { OrganizationsController } from './organizations/organizations.controller';
import { PlansController } from './plans/plans.controller';
import { PortalRoutes } from './portal/portal-routes';
import { PortalTokensController } from './portal/portal-tokens.controller';
import { CouponsController } from './coupons/coupons.controller';
import { CreditsController } from './credits/credits.controller';
import { CustomersController } from './customers/customers.controller';
import { CustomerInvoicesController } from './invoices/customer-invoices.controller';
import { InvoicesController } from './invoices/invoices.controller';
import { RatesController } from './rates/rates.controller';
import { StripeWebhooksController } from './stripe/stripe-webhooks.controller';
import { EntitlementCacheModule } from './customers/entitlement-cache.module';
import { UsageAlertsController } from './usage-alerts/usage-alerts.controller';
import { WebhookDeliveriesController } from './webhooks/webhook-deliveries.controller';
import { WebhookEndpointsController } from './webhooks/webhook-endpoints.controller';

class CloseRedis implements OnApplicationShutdown {
  constructor(@Inject(TOKENS.redis) private readonly redis: Redis) {}

  onApplicationShutdown() {
    this.redis.disconnect();
  }
}

@Module({})
export class ApiModule {
  static forRoot(config: TollgateConfig): DynamicModule {
    return {
      module: ApiModule,
      // The Stripe gateway verifies Stripe's webhooks; the api never calls Stripe (the worker pushes).
      imports: [
        ApiMetricsModule,
        DbModule.forRoot(config, 12, 'tollgate-api'),
        EntitlementCacheModule,
        BillingModule.forRoot(),
        ...(config.stripe ? [StripeModule.forRoot(config.stripe)] : []),
      ],
      controllers: [
        EventsController,
        OrganizationsController,
        ApiKeysController,
        PlansController,
        CustomersController,
        CustomerInvoicesController,
        PortalTokensController,
        CouponsController,
        CreditsController,
        InvoicesController,
        UsageAlertsController,
        RatesController,
        WebhookEndpointsController,
        WebhookDeliveriesController,
        StripeWebhooksController,
        SimulationsController,
        AnalyticsController,
        HealthController,
      ],
      providers: [
        {
          provide: TOKENS.redis,
          useFactory: () => {
            const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
            redis.on('error', () => undefined);
            return redis;
          },
        },
        { provide: TOKENS.rateLimiter, useValue: new RateLimiter(config.rateLimitPerSecond) },
        ApiKeyAuth,
        PortalRoutes,
        DashboardRoutes,
        CloseRedis,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
