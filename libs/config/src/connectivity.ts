import { Client } from 'pg';
import Redis from 'ioredis';
import { addressOf, type TollgateConfig } from './config';

// Checked at start so that a missing service is one clear line, not a stack trace.

export class UnreachableError extends Error {}

export async function checkPostgres(databaseUrl: string, { timeoutMs = 5000, allowMissingDatabase = false } = {}): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  // A connection dropped mid-check fails the query below; unheard, its 'error' event would end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const reason = (err as Error).message;
    const dbMissing = /database .* does not exist/.test(reason);
    if (dbMissing && allowMissingDatabase) return; // the server answered; migrating creates the database
    throw new UnreachableError(
      dbMissing
        ? `Postgres at ${addressOf(databaseUrl)} has no such database (${reason}): run \`npm run db:migrate\`, which creates it`
        : `Postgres not reachable at ${addressOf(databaseUrl)} (${reason}): run \`docker compose up -d\`, ` +
            'or start your local PostgreSQL server, or set DATABASE_URL',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(redisUrl: string, timeoutMs = 5000): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new UnreachableError(
      `Redis not reachable at ${addressOf(redisUrl)} (${(err as Error).message}): run \`docker compose up -d\`, ` +
        'or start your local Redis server, or set REDIS_URL',
    );
  } finally {
    redis.disconnect();
  }
}

export async function checkServices(config: TollgateConfig, options: { allowMissingDatabase?: boolean } = {}): Promise<void> {
  await checkPostgres(config.databaseUrl, options);
  await checkRedis(config.redisUrl);
}
