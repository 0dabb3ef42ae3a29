// Configuration from the environment, validated once at start: a bad value stops the process with a
// message that names the variable, never a stack trace later.

export interface TollgateConfig {
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  adminKey: string | undefined;
  logLevel: string;
  /** Requests per second per API key before 429. */
  rateLimitPerSecond: number;
  /** How far ahead of the server clock an event timestamp may be. */
  maxFutureMs: number;
  /** How old an event may be (the backfill window). */
  backfillMs: number;
  /** How long an event may stay pending before the sweeper re-enqueues it. */
  sweepIntervalMs: number;
  rateSyncIntervalMs: number;
}

export class ConfigError extends Error {}

const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/tollgate',
  REDIS_URL: 'redis://127.0.0.1:6379',
  HOST: '0.0.0.0',
  PORT: '3000',
  LOG_LEVEL: 'info',
  RATE_LIMIT_PER_SECOND: '500',
  EVENT_MAX_FUTURE_SECONDS: '300',
  EVENT_BACKFILL_DAYS: '35',
  SWEEP_INTERVAL_SECONDS: '60',
  RATE_SYNC_INTERVAL_SECONDS: '3600',
};

function urlOf(env: NodeJS.ProcessEnv, name: 'DATABASE_URL' | 'REDIS_URL', protocols: string[]): string {
  const raw = env[name] || DEFAULTS[name];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}, got "${url.protocol}//"`);
  }
  return raw;
}

function positiveInt(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULTS, min = 1): number {
  const raw = env[name] || DEFAULTS[name];
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new ConfigError(`${name} must be an integer of at least ${min}, got "${raw}"`);
  }
  return Number(raw);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TollgateConfig {
  const port = positiveInt(env, 'PORT', 0);
  if (port > 65535) throw new ConfigError(`PORT must be at most 65535, got ${port}`);
  const adminKey = env.TOLLGATE_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('TOLLGATE_ADMIN_KEY must be at least 16 characters long');
  }
  return {
    databaseUrl: urlOf(env, 'DATABASE_URL', ['postgresql:', 'postgres:']),
    redisUrl: urlOf(env, 'REDIS_URL', ['redis:', 'rediss:']),
    host: env.HOST || DEFAULTS.HOST,
    port,
    adminKey,
    logLevel: env.LOG_LEVEL || DEFAULTS.LOG_LEVEL,
    rateLimitPerSecond: positiveInt(env, 'RATE_LIMIT_PER_SECOND'),
    maxFutureMs: positiveInt(env, 'EVENT_MAX_FUTURE_SECONDS', 0) * 1000,
    backfillMs: positiveInt(env, 'EVENT_BACKFILL_DAYS') * 86_400_000,
    sweepIntervalMs: positiveInt(env, 'SWEEP_INTERVAL_SECONDS') * 1000,
    rateSyncIntervalMs: positiveInt(env, 'RATE_SYNC_INTERVAL_SECONDS') * 1000,
  };
}

/** host:port of a URL, for messages (never the password). */
export function addressOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
}
