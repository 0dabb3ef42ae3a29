export * from './config';
export * from './connectivity';
export * from './queues';
export * from './logger';
export * from './metrics-token';
