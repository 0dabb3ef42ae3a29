import { randomBytes } from 'node:crypto';
import { Module, type Abstract, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BillingModule, PriceQueue, StripePushes, WebhookQueue } from '@tollgate/billing';
import { loadConfig, type TollgateConfig } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { StripeModule } from '@tollgate/stripe';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './db';
import { DatabaseProbe } from './probe';

export interface TestBilling {
  config: TollgateConfig;
  /** The database it made (absent when `env` named one: it belongs to the caller). */
  db?: TestDatabase;
  probe: DatabaseProbe;
  app: INestApplicationContext;
  /** A use case (or any provider) with its real repositories. */
  get<T>(type: Type<T> | Abstract<T>): T;
  close(): Promise<void>;
}

/** The use cases again, beside `other`: its database and queues, configured by `env` (e.g. INGEST_PRICING=worker). */
export function startTestBillingBeside(other: TestBilling, env: Record<string, string> = {}): Promise<TestBilling> {
  return startTestBilling({ DATABASE_URL: other.config.databaseUrl, QUEUE_PREFIX: other.config.queuePrefix, ...env });
}

/**
 * The billing use cases with their real repositories, on a fresh migrated database and the local Redis
 * (queues under a prefix of their own): what libs/billing's medium tests run against. No api, no worker.
 * `env` overrides configuration (DATABASE_URL and QUEUE_PREFIX: another harness's, to act beside it).
 */
export async function startTestBilling(env: Record<string, string> = {}): Promise<TestBilling> {
  const db = env.DATABASE_URL ? undefined : await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db?.url,
    REDIS_URL: TEST_REDIS_URL,
    // Test mode: TOLLGATE_TEST_NOW (a test's billing clock) is honoured.
    NODE_ENV: process.env.NODE_ENV ?? 'test',
    QUEUE_PREFIX: `{tollgate-billing-test-${randomBytes(4).toString('hex')}}`,
    RATE_SOURCES: 'none',
    RATE_POLL_SECONDS: '3600',
    TOLLGATE_SECRET: 'tollgate-billing-test-secret-0123456789abcdef',
    ...env,
  });
  // With STRIPE_SECRET_KEY (and STRIPE_API_BASE: a test server) the push is on, paced as the worker paces it.
  const stripe = config.stripe
    ? [StripeModule.forRoot(config.stripe, { redisUrl: config.redisUrl, key: `${config.queuePrefix}:stripe:rate` })]
    : [];
  @Module({ imports: [DbModule.forRoot(config, 4), BillingModule.forRoot(), ...stripe] })
  class TestBillingModule {}
  const app = await NestFactory.createApplicationContext(TestBillingModule, { logger: false });
  await app.init();
  const probe = new DatabaseProbe(config.databaseUrl);
  return {
    config,
    db,
    probe,
    app,
    get: (type) => app.get(type),
    async close() {
      if (db) {
        await app
          .get(PriceQueue)
          .queue.obliterate({ force: true })
          .catch(() => undefined);
        await app
          .get(WebhookQueue)
          .queue.obliterate({ force: true })
          .catch(() => undefined);
        await app
          .get(StripePushes)
          .jobs?.obliterate({ force: true })
          .catch(() => undefined);
      }
      await app.close();
      await probe.close();
      await db?.drop();
    },
  };
}
