import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { TollgateConfig } from '@tollgate/config';
import { ApiKeysRepository } from './api-keys.repository';
import { createPool, createPrisma, PrismaClient } from './database';

/** Injection tokens of what every Tollgate process shares. */
export const CONFIG = Symbol('config');
export const DB_POOL = Symbol('pool');
export const PRISMA = Symbol('prisma');

class CloseDatabase implements OnApplicationShutdown {
  constructor(@Inject(DB_POOL) private readonly pool: Pool, @Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async onApplicationShutdown() {
    await this.prisma.$disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** The configuration, one pg pool and the Prisma client on it, for every module of an app. */
@Global()
@Module({})
export class DbModule {
  static forRoot(config: TollgateConfig, poolSize: number): DynamicModule {
    return {
      module: DbModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: DB_POOL, useFactory: () => createPool(config.databaseUrl, { max: poolSize }) },
        { provide: PRISMA, useFactory: (pool: Pool) => createPrisma(pool), inject: [DB_POOL] },
        { provide: ApiKeysRepository, useFactory: (prisma: PrismaClient) => new ApiKeysRepository(prisma), inject: [PRISMA] },
        CloseDatabase,
      ],
      exports: [CONFIG, DB_POOL, PRISMA, ApiKeysRepository],
    };
  }
}
