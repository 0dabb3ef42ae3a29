import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { checkServices, ConfigError, loadConfig, UnreachableError } from '@tollgate/config';
import { createPool, pendingMigrations } from '@tollgate/db';
import { createLogger, PinoNestLogger } from '@tollgate/config';
import { WorkerModule } from './worker.module';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'tollgate-worker');
  await checkServices(config);
  const pool = createPool(config.databaseUrl, { max: 1 });
  const pending = await pendingMigrations(pool).finally(() => pool.end());
  if (pending.length > 0) {
    throw new UnreachableError(`the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`npm run db:migrate\``);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  await app.init();
  logger.info({ msg: 'tollgate worker running' });
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UnreachableError) console.error(`tollgate worker: ${err.message}`);
  else console.error('tollgate worker failed to start:', err);
  process.exit(1);
});
