import { checkServices, ConfigError, createLogger, loadConfig, type TollgateConfig, UnreachableError } from '@tollgate/config';
import type { Logger } from 'pino';
import { createPool } from './database';
import { pendingMigrations } from './migration-status';

/**
 * How the api and the worker start: configuration validated, Postgres and Redis reachable, migrations applied;
 * any of these missing is one line that says what to do, and exit code 1, never a stack trace.
 */
export function startProcess(name: string, run: (config: TollgateConfig, logger: Logger) => Promise<void>): void {
  (async () => {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, name);
    await checkServices(config);
    const pool = createPool(config.databaseUrl, { max: 1 });
    const pending = await pendingMigrations(pool).finally(() => pool.end());
    if (pending.length > 0) {
      throw new UnreachableError(`the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`npm run db:migrate\``);
    }
    await run(config, logger);
  })().catch((err) => {
    if (err instanceof ConfigError || err instanceof UnreachableError) console.error(`${name}: ${err.message}`);
    else console.error(`${name} failed to start:`, err);
    process.exit(1);
  });
}
