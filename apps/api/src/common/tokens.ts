import { CONFIG, DB_POOL } from '@tollgate/db';

// Injection tokens for values that are not classes.
export const TOKENS = {
  config: CONFIG,
  pool: DB_POOL,
  rateLimiter: Symbol('rateLimiter'),
  redis: Symbol('redis'),
} as const;
