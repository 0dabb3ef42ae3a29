import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { TollgateConfig } from '@tollgate/config';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsRollupsRepository } from './analytics-rollups.repository';
import { ApiKeysRepository } from './api-keys.repository';
import { CouponsRepository } from './coupons.repository';
import { CreditsRepository } from './credits.repository';
import { CustomersRepository } from './customers.repository';
import { createPool, createPrisma, PrismaClient } from './database';
import { EventsRepository } from './events.repository';
import { IngestBatchesRepository } from './ingest-batches.repository';
import { InvoicesRepository } from './invoices.repository';
import { DatabaseStatus } from './migration-status';
import { OrganizationsRepository } from './organizations.repository';
import { PlansRepository } from './plans.repository';
import { PricingRepository } from './pricing.repository';
import { RatesRepository } from './rates.repository';
import { SimulationsRepository } from './simulations.repository';
import { StripeEventsRepository } from './stripe-events.repository';
import { StripePushesRepository } from './stripe-pushes.repository';
import { CONFIG, DB_POOL, PRISMA } from './tokens';
import { Transactions } from './transactions';
import { UsageRepository } from './usage.repository';
import { UsageAlertsRepository } from './usage-alerts.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';

class CloseDatabase implements OnApplicationShutdown {
  constructor(
    @Inject(DB_POOL) private readonly pool: Pool,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  async onApplicationShutdown() {
    await this.prisma.$disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** Every repository, injectable anywhere in the app. */
const REPOSITORIES = [
  AnalyticsRepository,
  AnalyticsRollupsRepository,
  ApiKeysRepository,
  CouponsRepository,
  CreditsRepository,
  CustomersRepository,
  EventsRepository,
  IngestBatchesRepository,
  InvoicesRepository,
  OrganizationsRepository,
  PlansRepository,
  PricingRepository,
  RatesRepository,
  SimulationsRepository,
  StripeEventsRepository,
  StripePushesRepository,
  UsageRepository,
  UsageAlertsRepository,
  WebhookEndpointsRepository,
  WebhookDeliveriesRepository,
];

/** The configuration, one pg pool, the Prisma client on it, the repositories and transactions, for every module of an app. */
@Global()
@Module({})
export class DbModule {
  /** `applicationName`: how the process's connections appear in pg_stat_activity (`tollgate-api`, `tollgate-worker`). */
  static forRoot(config: TollgateConfig, poolSize: number, applicationName = 'tollgate'): DynamicModule {
    return {
      module: DbModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: DB_POOL, useFactory: () => createPool(config.databaseUrl, { max: poolSize, application_name: applicationName }) },
        { provide: PRISMA, useFactory: (pool: Pool) => createPrisma(pool), inject: [DB_POOL] },
        ...REPOSITORIES,
        Transactions,
        DatabaseStatus,
        CloseDatabase,
      ],
      exports: [CONFIG, DB_POOL, PRISMA, ...REPOSITORIES, Transactions, DatabaseStatus],
    };
  }
}
