export * from './billing.module';
export * from './pricing/plan-book';
export * from './pricing/price-batch';
export * from './pricing/price-events';
export * from './pricing/price-queue';
export * from './pricing/rate-lookup';
export * from './pricing/repricer';
export * from './usage/customer-usage';
