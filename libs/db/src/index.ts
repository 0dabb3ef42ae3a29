export * from './database';
export * from './events.repository';
export * from './customers.repository';
export * from './api-keys.repository';
export * from './migration-status';
export * from './db.module';
