// Injection tokens for values that are not classes.
export const TOKENS = {
  config: Symbol('config'),
  pool: Symbol('pool'),
  prisma: Symbol('prisma'),
  rateLimiter: Symbol('rateLimiter'),
  priceQueue: Symbol('priceQueue'),
  redis: Symbol('redis'),
} as const;
