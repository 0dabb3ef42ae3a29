export * from './billing-data';
export * from './db';
export * from './tcp-proxy';
export * from './worker-process';
export * from './probe';
export * from './stripe-server';
export * from './webhook-receiver';
