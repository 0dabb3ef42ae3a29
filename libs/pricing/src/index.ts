export * from './dimensions';
