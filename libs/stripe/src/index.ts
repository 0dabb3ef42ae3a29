export * from './stripe-gateway';
export * from './errors';
export { STRIPE_API_VERSION } from './api-version';
export { toMinorUnits, fromMinorUnits, NotMinorUnitsError } from './minor-units';
export { METADATA as STRIPE_METADATA } from './invoice-view';
export { StripeSdkGateway, STRIPE_SETTINGS, MAX_INVOICE_LINES, WEBHOOK_TOLERANCE_SECONDS } from './stripe-sdk-gateway';
export { StripeModule } from './stripe.module';
export { StripeRateLimiter, RedisStripeRateLimiter, type RateLimits } from './rate-limiter';
export type { StripeRateLimitStore } from './stripe.module';
