export * from './db';
export * from './tcp-proxy';
export * from './worker-process';
export * from './stripe-server';
