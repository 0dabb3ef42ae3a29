import { randomBytes } from 'node:crypto';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { BillingModule, Clock, CreateCreditGrant, CreateCustomer, CreateOrganization, type TestClock } from '@tollgate/billing';
import { bullConnection, loadConfig, QUEUES } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { createTestDatabase, DatabaseProbe, TEST_REDIS_URL, type TestDatabase } from '@tollgate/testing';
import { BillingCycleModule, CREDIT_EXPIRY_SCHEDULER } from './billing-cycle.module';

// The worker's credit expiry: its own job scheduler on the billing queue, and a run of it expiring what Postgres
// says is due (an expiry entry in the ledger), with the real Redis and Postgres.

let db: TestDatabase;
let app: INestApplicationContext;
let queue: Queue;
let probe: DatabaseProbe;

beforeAll(async () => {
  db = await createTestDatabase();
  probe = new DatabaseProbe(db.url);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `{tollgate_test_${randomBytes(4).toString('hex')}}`,
    RATE_SOURCES: 'none',
    BILLING_INTERVAL_SECONDS: '3600',
    CREDIT_EXPIRY_INTERVAL_SECONDS: '7200',
    NODE_ENV: 'test',
    TOLLGATE_SECRET: 'credit-expiry-test-secret-0123456789abcdef-0123',
    TOLLGATE_TEST_NOW: '2026-05-01T00:00:00Z',
  });
  @Module({
    imports: [
      DbModule.forRoot(config, 4),
      BullModule.forRoot({ prefix: config.queuePrefix, connection: bullConnection(config.redisUrl, { maxRetriesPerRequest: null }) }),
      BillingModule.forRoot(),
      BillingCycleModule,
    ],
  })
  class TestWorker {}
  app = await NestFactory.createApplicationContext(TestWorker, { logger: false });
  await app.init();
  queue = app.get(getQueueToken(QUEUES.billing));
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await app?.close();
  await probe?.close();
  await db?.drop();
});

describe('the credit expiry job', () => {
  it('has its own scheduler at CREDIT_EXPIRY_INTERVAL_SECONDS, beside the billing cycle', async () => {
    expect(await queue.getJobScheduler(CREDIT_EXPIRY_SCHEDULER)).toMatchObject({ every: 7_200_000, name: 'credit-expiry' });
    expect(await queue.getJobSchedulersCount()).toBe(2);
  });

  it('expires a grant once its expires_at has passed, writing the expiry entry', async () => {
    const organizationId = (await app.get(CreateOrganization).execute({ name: 'expiry' })).id;
    await app.get(CreateCustomer).execute({ organizationId, externalId: 'soon', fields: {} });
    const grant = await app.get(CreateCreditGrant).execute({
      organizationId,
      externalId: 'soon',
      kind: 'granted',
      amount: '4.00',
      expiresAt: new Date('2026-05-02T00:00:00Z'),
    });
    (app.get(Clock) as TestClock).set('2026-05-03T00:00:00Z');
    const job = await queue.add('credit-expiry', {});
    for (let i = 0; i < 200 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await job.isCompleted()).toBe(true);
    const ledger = await probe.rows<{ kind: string; amount: string }>(
      `SELECT kind, trim_scale(amount)::text AS amount FROM credit_ledger WHERE grant_id = $1 ORDER BY id`,
      [grant.id],
    );
    expect(ledger).toEqual([
      { kind: 'grant', amount: '4' },
      { kind: 'expiry', amount: '-4' },
    ]);
  });
});
