// `npm start` runs this before migrating: a missing Postgres or Redis is one line that says what to do.
import { ConfigError, loadConfig } from './config';
import { checkServices, UnreachableError } from './connectivity';

checkServices(loadConfig(), { allowMissingDatabase: true }).catch((err) => {
  if (err instanceof ConfigError || err instanceof UnreachableError) console.error(`tollgate: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
