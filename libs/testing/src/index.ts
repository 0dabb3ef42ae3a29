export * from './db';
export * from './tcp-proxy';
