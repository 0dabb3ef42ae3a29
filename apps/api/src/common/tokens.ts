// Injection tokens for values that are not classes.
export const TOKENS = {
  rateLimiter: Symbol('rateLimiter'),
  redis: Symbol('redis'),
} as const;
