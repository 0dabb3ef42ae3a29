// Configuration from the environment, validated once at start: a bad value stops the process with a
// message that names the variable, never a stack trace later.

export interface TollgateConfig {
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  /**
   * PUBLIC_URL: where people reach the api (https://billing.example.com), the base of portal links; without it
   * a link uses the address its request came to.
   */
  publicUrl: string | undefined;
  adminKey: string | undefined;
  /**
   * TOLLGATE_SECRET: the server secret API keys are hashed with (HMAC-SHA256). The api needs it; the worker, which
   * reads no key, runs without it. Every api instance of one database must share it.
   */
  secret: string | undefined;
  /** How long a rotated key stays valid beside its successor (API_KEY_ROTATION_GRACE_SECONDS). */
  keyRotationGraceMs: number;
  /** Failed authentications a client address may make per minute before 429 (AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute: number;
  /** Fastify's trustProxy (TRUST_PROXY): whose X-Forwarded-For names the client, for the failed-authentication limit. */
  trustProxy: boolean | number | string[];
  /** The api's HTTP server timeouts (HTTP_*_TIMEOUT_SECONDS), in ms. */
  http: HttpTimeouts;
  /** A bearer token /metrics of the api and the worker require (METRICS_TOKEN); undefined: /metrics is open. */
  metricsToken: string | undefined;
  logLevel: string;
  /** Requests per second per API key before 429. */
  rateLimitPerSecond: number;
  /**
   * Bytes of POST /v1/events bodies the api holds at once (INGEST_MAX_IN_FLIGHT_MB): past it a new batch is answered
   * 503 with Retry-After before its body is read, so an api that cannot keep up holds a bounded amount of memory.
   */
  ingestMaxInFlightBytes: number;
  /** How far ahead of the server clock an event timestamp may be. */
  maxFutureMs: number;
  /** How old an event may be (the backfill window). */
  backfillMs: number;
  /**
   * How often the worker's sweeper runs: it re-enqueues batches left unpriced for more than half of it, and, once
   * rates changed, batches holding unpriced events.
   */
  sweepIntervalMs: number;
  /** Batches one worker process prices at once. */
  priceConcurrency: number;
  /**
   * A stress test whose billed periods hold at most this many priced events runs in its request (answered at once);
   * a larger one is queued for the worker (SIMULATION_INLINE_MAX_EVENTS; 0 queues every one).
   */
  simulationInlineMaxEvents: number;
  /**
   * INGEST_PRICING: `inline` (default), the api prices a batch as it stores it when it can (docs/design.md,
   * "Pricing as the batch is stored"), the worker every other batch; `worker`, the worker prices every batch.
   */
  ingestPricing: 'inline' | 'worker';
  /** Failures in a row, the same way, after which a batch is quarantined instead of retried (PRICE_MAX_ATTEMPTS). */
  priceMaxAttempts: number;
  /** Where the worker serves GET /metrics (on HOST); 0 lets the OS choose a port. */
  workerMetricsPort: number;
  rateSyncIntervalMs: number;
  /** Rate sources the sync job fetches (RATE_SOURCES). */
  rateSources?: string[];
  /** Which source prices a (provider, model), as text for @tollgate/rates' parseSourceOrder ('' = its default). */
  rateSourceOrder?: string;
  openRouterBaseUrl?: string;
  liteLlmUrl?: string;
  awsPricingBaseUrl?: string;
  /** AWS regions whose Bedrock price files are read. */
  bedrockRegions?: string[];
  /** Deadline of one source's fetch (all its requests). */
  rateSyncTimeoutMs?: number;
  /** How often each process checks the database for new rate versions, overrides and aliases. */
  ratePollMs?: number;
  /** How often the worker's billing cycle runs: closes due periods, recomputes and finalizes drafts. */
  billingIntervalMs: number;
  /** How often the worker expires credit grants past their expires_at (the ledger's expiry entries). */
  creditExpiryIntervalMs: number;
  /** A cached entitlement older than this is computed again when read (bounds what no change marks stale). */
  entitlementMaxAgeMs: number;
  /**
   * The worker's entitlement refresher starts a round at most this often (at once again while more wait than a round
   * takes): the cached entitlements follow priced usage this late, plus a round.
   */
  entitlementRefreshMs: number;
  /**
   * Tests only (TOLLGATE_TEST_NOW, honoured when NODE_ENV=test): the billing clock stands at this instant, so a
   * test drives period ends and grace periods without waiting.
   */
  testNow?: Date;
  /** BullMQ key prefix (a Redis Cluster hash tag); instances sharing one Redis keep apart with different prefixes. */
  queuePrefix: string;
  /** The Stripe push; undefined without STRIPE_SECRET_KEY (the push is off, invoices stay in Tollgate). */
  stripe?: StripeSettings;
  /** Outbound webhook deliveries (WEBHOOK_*). */
  webhooks: WebhookSettings;
}

/** How the worker delivers outbound webhooks (docs/design.md, "Webhooks"), from WEBHOOK_* variables. */
export interface WebhookSettings {
  /** Deadline of one delivery attempt (connect, send, response): a slow receiver fails the attempt. */
  timeoutMs: number;
  /** Deliveries one worker process sends at once. */
  concurrency: number;
  /** Delay after the first failed attempt; it doubles after each failure (with jitter), up to retryMaxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
}

/** Where and how the Stripe gateway (libs/stripe) calls Stripe, from STRIPE_* variables. */
export interface StripeSettings {
  secretKey: string;
  /** STRIPE_API_BASE split the way the stripe SDK takes it (host, port, protocol). */
  apiBase: { protocol: 'http' | 'https'; host: string; port: number };
  /** Verifies `Stripe-Signature` on webhooks; without it every delivery is rejected. */
  webhookSecret?: string;
  /** Deadline of one Stripe call; a timed-out write may still have committed (retry with the same key). */
  timeoutMs: number;
  /**
   * Stripe calls per second for every worker together (a Redis token bucket): STRIPE_REQUESTS_PER_SECOND, by
   * default under Stripe's limit for the key's mode (100/s live, 25/s test).
   */
  requestsPerSecond: number;
  /** The same per API operation (Stripe's default per-endpoint limit is 25/s); 0: no limit of its own. */
  endpointRequestsPerSecond: number;
  /** Delay before the push retries a 5xx, a network error or a timeout; it doubles after each failure. */
  retryBaseMs: number;
}

/** Node's and Fastify's HTTP server timeouts, in ms (docs/design.md, "HTTP server limits"). */
export interface HttpTimeouts {
  /** The whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
  requestMs: number;
  /** The headers must arrive within this (at most requestMs). */
  headersMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A connection with no bytes either way for this long is closed, even mid-request (above the slowest handler). */
  idleMs: number;
}

export class ConfigError extends Error {}

/** Injection token of the validated configuration (one per process). */
export const CONFIG = Symbol('config');

const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/tollgate',
  REDIS_URL: 'redis://127.0.0.1:6379',
  HOST: '0.0.0.0',
  PORT: '3000',
  LOG_LEVEL: 'info',
  RATE_LIMIT_PER_SECOND: '500',
  INGEST_MAX_IN_FLIGHT_MB: '16',
  EVENT_MAX_FUTURE_SECONDS: '300',
  EVENT_BACKFILL_DAYS: '35',
  SWEEP_INTERVAL_SECONDS: '60',
  PRICE_CONCURRENCY: '4',
  SIMULATION_INLINE_MAX_EVENTS: '100000',
  PRICE_MAX_ATTEMPTS: '8',
  WORKER_METRICS_PORT: '9464',
  RATE_SYNC_INTERVAL_SECONDS: '3600',
  BILLING_INTERVAL_SECONDS: '60',
  CREDIT_EXPIRY_INTERVAL_SECONDS: '60',
  ENTITLEMENT_MAX_AGE_SECONDS: '60',
  ENTITLEMENT_REFRESH_MS: '1000',
  RATE_SOURCES: 'openrouter,litellm,bedrock',
  OPENROUTER_BASE_URL: 'https://openrouter.ai',
  LITELLM_URL: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
  AWS_PRICING_BASE_URL: 'https://pricing.us-east-1.amazonaws.com',
  BEDROCK_REGIONS: 'us-east-1,us-west-2,eu-central-1,ap-northeast-1',
  RATE_SYNC_TIMEOUT_SECONDS: '120',
  RATE_POLL_SECONDS: '5',
  API_KEY_ROTATION_GRACE_SECONDS: '86400',
  AUTH_FAILURES_PER_MINUTE: '30',
  HTTP_REQUEST_TIMEOUT_SECONDS: '30',
  HTTP_HEADERS_TIMEOUT_SECONDS: '10',
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '72',
  HTTP_IDLE_TIMEOUT_SECONDS: '300',
  STRIPE_API_BASE: 'https://api.stripe.com',
  STRIPE_TIMEOUT_SECONDS: '30',
  STRIPE_ENDPOINT_REQUESTS_PER_SECOND: '20',
  STRIPE_RETRY_BASE_SECONDS: '1',
  WEBHOOK_TIMEOUT_SECONDS: '10',
  WEBHOOK_CONCURRENCY: '16',
  WEBHOOK_RETRY_BASE_SECONDS: '30',
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: '3600',
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

function httpUrl(env: NodeJS.ProcessEnv, name: 'OPENROUTER_BASE_URL' | 'LITELLM_URL' | 'AWS_PRICING_BASE_URL'): string {
  const raw = env[name] || DEFAULTS[name];
  if (!/^https?:\/\/[^/]/.test(raw)) throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  return raw;
}

function list(env: NodeJS.ProcessEnv, name: 'RATE_SOURCES' | 'BEDROCK_REGIONS'): string[] {
  return (env[name] || DEFAULTS[name])
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULTS, min = 1): number {
  const raw = env[name] || DEFAULTS[name];
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new ConfigError(`${name} must be an integer of at least ${min}, got "${raw}"`);
  }
  return Number(raw);
}

function port(env: NodeJS.ProcessEnv, name: 'PORT' | 'WORKER_METRICS_PORT'): number {
  const value = positiveInt(env, name, 0);
  if (value > 65535) throw new ConfigError(`${name} must be at most 65535, got ${value}`);
  return value;
}

function ingestPricing(env: NodeJS.ProcessEnv): 'inline' | 'worker' {
  const raw = env.INGEST_PRICING || 'inline';
  if (raw !== 'inline' && raw !== 'worker') throw new ConfigError(`INGEST_PRICING must be inline or worker, got "${raw}"`);
  return raw;
}

function secret(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.TOLLGATE_SECRET || undefined;
  if (value !== undefined && Buffer.byteLength(value) < 32) {
    throw new ConfigError('TOLLGATE_SECRET must be at least 32 bytes long (e.g. `openssl rand -base64 48`)');
  }
  return value;
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.METRICS_TOKEN || undefined;
  if (value !== undefined && !/^[\x21-\x7e]{16,}$/.test(value)) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 printable characters without spaces');
  }
  return value;
}

/** TRUST_PROXY: "false" (default), "true", a hop count, or addresses and CIDR ranges separated by commas. */
function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || !list.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new ConfigError(`TRUST_PROXY must be false, true, a hop count or addresses/CIDR ranges separated by commas, got "${raw}"`);
  }
  return list;
}

function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const timeouts = {
    requestMs: positiveInt(env, 'HTTP_REQUEST_TIMEOUT_SECONDS') * 1000,
    headersMs: positiveInt(env, 'HTTP_HEADERS_TIMEOUT_SECONDS') * 1000,
    keepAliveMs: positiveInt(env, 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS') * 1000,
    idleMs: positiveInt(env, 'HTTP_IDLE_TIMEOUT_SECONDS') * 1000,
  };
  // Node refuses a headers timeout longer than the request's.
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_SECONDS must be at most HTTP_REQUEST_TIMEOUT_SECONDS');
  }
  return timeouts;
}

function testNow(env: NodeJS.ProcessEnv): Date | undefined {
  const raw = env.TOLLGATE_TEST_NOW;
  if (!raw) return undefined;
  if (env.NODE_ENV !== 'test')
    throw new ConfigError('TOLLGATE_TEST_NOW sets the billing clock for tests; it is refused unless NODE_ENV=test');
  const at = new Date(raw);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(raw))
    throw new ConfigError(`TOLLGATE_TEST_NOW must be an RFC 3339 timestamp, got "${raw}"`);
  return at;
}

function stripeSettings(env: NodeJS.ProcessEnv): StripeSettings | undefined {
  const secretKey = env.STRIPE_SECRET_KEY || undefined;
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || undefined;
  if (webhookSecret !== undefined && !webhookSecret.startsWith('whsec_')) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET must start with "whsec_" (the endpoint\'s signing secret)');
  }
  if (secretKey === undefined) return undefined;
  // Secret (sk_) or restricted (rk_) keys; a publishable key (pk_) cannot create invoices.
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(secretKey)) {
    throw new ConfigError('STRIPE_SECRET_KEY must be a secret or restricted key (sk_test_…, sk_live_…, rk_…)');
  }
  const raw = env.STRIPE_API_BASE || DEFAULTS.STRIPE_API_BASE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`STRIPE_API_BASE is not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`STRIPE_API_BASE must be an http(s) URL, got "${raw}"`);
  }
  // The SDK takes host, port and protocol apart and builds every path from /v1, so a path cannot be honoured.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new ConfigError(`STRIPE_API_BASE must be scheme://host[:port] only, got "${raw}"`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    secretKey,
    apiBase: { protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443 },
    webhookSecret,
    timeoutMs: positiveInt(env, 'STRIPE_TIMEOUT_SECONDS') * 1000,
    requestsPerSecond: stripeRate(env, secretKey),
    endpointRequestsPerSecond: positiveInt(env, 'STRIPE_ENDPOINT_REQUESTS_PER_SECOND', 0),
    retryBaseMs: positiveSecondsMs(env, 'STRIPE_RETRY_BASE_SECONDS'),
  };
}

/** Stripe allows 100 requests/s in live mode and 25/s in test mode: by default stay a fifth under the key's. */
function stripeRate(env: NodeJS.ProcessEnv, secretKey: string): number {
  const raw = env.STRIPE_REQUESTS_PER_SECOND;
  if (!raw) return /^(sk|rk)_live_/.test(secretKey) ? 80 : 20;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ConfigError(`STRIPE_REQUESTS_PER_SECOND must be an integer of at least 1, got "${raw}"`);
  return Number(raw);
}

/** Seconds as a positive decimal ("0.25" is allowed: tests retry fast), in milliseconds. */
function positiveSecondsMs(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULTS): number {
  const raw = env[name] || DEFAULTS[name];
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) throw new ConfigError(`${name} must be a positive number of seconds, got "${raw}"`);
  return Math.max(1, Math.round(Number(raw) * 1000));
}

function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  const retryBaseMs = positiveSecondsMs(env, 'WEBHOOK_RETRY_BASE_SECONDS');
  const retryMaxDelayMs = positiveSecondsMs(env, 'WEBHOOK_RETRY_MAX_DELAY_SECONDS');
  if (retryMaxDelayMs < retryBaseMs) throw new ConfigError('WEBHOOK_RETRY_MAX_DELAY_SECONDS must be at least WEBHOOK_RETRY_BASE_SECONDS');
  return {
    timeoutMs: positiveInt(env, 'WEBHOOK_TIMEOUT_SECONDS') * 1000,
    concurrency: positiveInt(env, 'WEBHOOK_CONCURRENCY'),
    retryBaseMs,
    retryMaxDelayMs,
  };
}

function publicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.PUBLIC_URL || undefined;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL is not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TollgateConfig {
  const adminKey = env.TOLLGATE_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('TOLLGATE_ADMIN_KEY must be at least 16 characters long');
  }
  return {
    databaseUrl: urlOf(env, 'DATABASE_URL', ['postgresql:', 'postgres:']),
    redisUrl: urlOf(env, 'REDIS_URL', ['redis:', 'rediss:']),
    host: env.HOST || DEFAULTS.HOST,
    port: port(env, 'PORT'),
    publicUrl: publicUrl(env),
    adminKey,
    secret: secret(env),
    keyRotationGraceMs: positiveInt(env, 'API_KEY_ROTATION_GRACE_SECONDS', 0) * 1000,
    authFailuresPerMinute: positiveInt(env, 'AUTH_FAILURES_PER_MINUTE'),
    trustProxy: trustProxy(env),
    http: httpTimeouts(env),
    metricsToken: metricsToken(env),
    logLevel: env.LOG_LEVEL || DEFAULTS.LOG_LEVEL,
    rateLimitPerSecond: positiveInt(env, 'RATE_LIMIT_PER_SECOND'),
    ingestMaxInFlightBytes: positiveInt(env, 'INGEST_MAX_IN_FLIGHT_MB') * 1024 * 1024,
    maxFutureMs: positiveInt(env, 'EVENT_MAX_FUTURE_SECONDS', 0) * 1000,
    backfillMs: positiveInt(env, 'EVENT_BACKFILL_DAYS') * 86_400_000,
    sweepIntervalMs: positiveInt(env, 'SWEEP_INTERVAL_SECONDS') * 1000,
    priceConcurrency: positiveInt(env, 'PRICE_CONCURRENCY'),
    simulationInlineMaxEvents: positiveInt(env, 'SIMULATION_INLINE_MAX_EVENTS', 0),
    priceMaxAttempts: positiveInt(env, 'PRICE_MAX_ATTEMPTS'),
    ingestPricing: ingestPricing(env),
    workerMetricsPort: port(env, 'WORKER_METRICS_PORT'),
    rateSyncIntervalMs: positiveInt(env, 'RATE_SYNC_INTERVAL_SECONDS') * 1000,
    // RATE_SOURCES=none: no live sync, the bundled snapshot and overrides only.
    // Names are checked against libs/rates' source registry when the rates module starts.
    rateSources: env.RATE_SOURCES === 'none' ? [] : list(env, 'RATE_SOURCES'),
    rateSourceOrder: env.RATE_SOURCE_ORDER ?? '',
    openRouterBaseUrl: httpUrl(env, 'OPENROUTER_BASE_URL'),
    liteLlmUrl: httpUrl(env, 'LITELLM_URL'),
    awsPricingBaseUrl: httpUrl(env, 'AWS_PRICING_BASE_URL'),
    bedrockRegions: list(env, 'BEDROCK_REGIONS'),
    rateSyncTimeoutMs: positiveInt(env, 'RATE_SYNC_TIMEOUT_SECONDS') * 1000,
    ratePollMs: positiveInt(env, 'RATE_POLL_SECONDS') * 1000,
    billingIntervalMs: positiveInt(env, 'BILLING_INTERVAL_SECONDS') * 1000,
    creditExpiryIntervalMs: positiveInt(env, 'CREDIT_EXPIRY_INTERVAL_SECONDS') * 1000,
    entitlementMaxAgeMs: positiveInt(env, 'ENTITLEMENT_MAX_AGE_SECONDS') * 1000,
    entitlementRefreshMs: positiveInt(env, 'ENTITLEMENT_REFRESH_MS'),
    testNow: testNow(env),
    queuePrefix: env.QUEUE_PREFIX || '{tollgate}',
    stripe: stripeSettings(env),
    webhooks: webhookSettings(env),
  };
}

/** host:port of a URL, for messages (never the password). */
export function addressOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
}
