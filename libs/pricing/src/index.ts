export * from './dimensions';
export * from './cost';
export * from './policy';
