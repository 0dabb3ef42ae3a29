export * from './dimensions';
export * from './cost';
export * from './policy';
export * from './periods/billing-period';
