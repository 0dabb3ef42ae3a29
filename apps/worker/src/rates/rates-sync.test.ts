import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { BillingModule } from '@tollgate/billing';
import { bullConnection, loadConfig, QUEUES } from '@tollgate/config';
import { DbModule } from '@tollgate/db';
import { RateBook } from '@tollgate/rates';
import { createTestDatabase, DatabaseProbe, TEST_REDIS_URL, type TestDatabase } from '@tollgate/testing';
import { WorkerMetricsModule } from '../metrics/metrics.module';
import { MetricsServer } from '../metrics/metrics-server';
import { RATES_SYNC_SCHEDULER, RatesSyncModule } from './rates-sync.module';

const openrouterBody = readFileSync(join(__dirname, '../../../../libs/rates/fixtures/openrouter-models-2026-08-01.json'), 'utf8');
let status = 200;
let body = openrouterBody;
let server: Server;
let db: TestDatabase;
let app: INestApplicationContext;
let queue: Queue;
let probe: DatabaseProbe;

const syncRows = () => probe.rows<{ status: string; error: string | null }>('SELECT status, error FROM rate_syncs ORDER BY started_at');

async function waitForSyncs(count: number): Promise<{ status: string; error: string | null }[]> {
  for (let i = 0; i < 200; i++) {
    const rows = await syncRows();
    if (rows.length >= count) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} rate syncs, found ${(await syncRows()).length}`);
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  db = await createTestDatabase();
  probe = new DatabaseProbe(db.url);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `{tollgate_test_${randomBytes(4).toString('hex')}}`,
    RATE_SOURCES: 'openrouter',
    OPENROUTER_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    RATE_SYNC_INTERVAL_SECONDS: '7200',
    RATE_SYNC_TIMEOUT_SECONDS: '5',
    HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
  });
  @Module({
    imports: [
      DbModule.forRoot(config, 4),
      BullModule.forRoot({ prefix: config.queuePrefix, connection: bullConnection(config.redisUrl, { maxRetriesPerRequest: null }) }),
      BillingModule.forRoot(),
      WorkerMetricsModule,
      RatesSyncModule,
    ],
  })
  class TestWorker {}
  app = await NestFactory.createApplicationContext(TestWorker, { logger: false });
  await app.init();
  queue = app.get(getQueueToken(QUEUES.rates));
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await app?.close();
  await probe?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db?.drop();
});

describe('the rates queue', () => {
  it('registers one repeatable sync at RATE_SYNC_INTERVAL_SECONDS, with retries and backoff', async () => {
    const scheduler = await queue.getJobScheduler(RATES_SYNC_SCHEDULER);
    expect(scheduler).toMatchObject({ every: 7_200_000, name: 'sync-rates' });
    expect(scheduler!.template?.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 60_000 } });
    expect(await queue.getJobSchedulersCount()).toBe(1);
  });

  it('runs a sync job: a changed price becomes a version the worker prices with at once', async () => {
    // The scheduler's first run (immediately on registration) found the snapshot's prices unchanged.
    expect(await waitForSyncs(1)).toEqual([{ status: 'unchanged', error: null }]);
    const changed = JSON.parse(openrouterBody);
    changed.data.find((m: { id: string }) => m.id === 'openai/gpt-4o').pricing.completion = '0.000012';
    body = JSON.stringify(changed);
    const job = await queue.add('sync-rates', {});
    expect((await waitForSyncs(2))[1]).toEqual({ status: 'applied', error: null });
    // The job completes once the worker's rate book has reloaded.
    for (let i = 0; i < 100 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await queue.getJob(job.id!))!.returnvalue).toMatchObject({ status: 'applied' });
    const found = app.get(RateBook).lookup('00000000-0000-0000-0000-000000000001', 'openrouter', 'openai/gpt-4o', Date.now());
    expect(found.ok && found.version.prices.output_tokens!.toFixed()).toBe('0.000012');
  });

  it('records a failed fetch and fails the job so BullMQ retries it', async () => {
    status = 500;
    const job = await queue.add('sync-rates', {}, { attempts: 1 });
    expect((await waitForSyncs(3))[2]).toEqual({ status: 'failed', error: expect.stringContaining('HTTP 500') });
    for (let i = 0; i < 100 && !(await job.isFailed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await job.isFailed()).toBe(true);
  });

  it("counts each source's outcome on the worker's /metrics", async () => {
    const res = await fetch(`http://127.0.0.1:${app.get(MetricsServer).port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^tollgate_rate_syncs_total\{source="openrouter",outcome="unchanged"\} 1$/m);
    expect(text).toMatch(/^tollgate_rate_syncs_total\{source="openrouter",outcome="applied"\} 1$/m);
    expect(text).toMatch(/^tollgate_rate_syncs_total\{source="openrouter",outcome="failed"\} 1$/m);
    expect((await fetch(`http://127.0.0.1:${app.get(MetricsServer).port}/other`)).status).toBe(404);
  });
});
