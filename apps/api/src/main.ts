import { checkServices, ConfigError, loadConfig, UnreachableError } from '@tollgate/config';
import { createPool, pendingMigrations } from '@tollgate/db';
import { createLogger } from '@tollgate/config';
import { createApi } from './create-api';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'tollgate-api');
  await checkServices(config);
  const pool = createPool(config.databaseUrl, { max: 1 });
  const pending = await pendingMigrations(pool).finally(() => pool.end());
  if (pending.length > 0) {
    throw new UnreachableError(`the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`npm run db:migrate\``);
  }
  const app = await createApi(config, logger);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info({ msg: 'tollgate api listening', url: `http://${config.host}:${config.port}`, docs: '/docs' });
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof UnreachableError) {
    console.error(`tollgate api: ${err.message}`);
  } else {
    console.error('tollgate api failed to start:', err);
  }
  process.exit(1);
});
