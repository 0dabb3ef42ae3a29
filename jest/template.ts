import { checkPostgres, checkRedis } from '../libs/config/src/connectivity';
import { ADMIN_DATABASE_URL, databaseUrl, TEST_REDIS_URL, uniqueName, withAdminClient } from '../libs/testing/src/db';

export async function createDatabase(): Promise<string> {
  await checkPostgres(ADMIN_DATABASE_URL);
  await checkRedis(TEST_REDIS_URL);
  const name = uniqueName('tollgate_test_tpl');
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
  return name;
}

/** Applies the project's migrations with the real `prisma migrate deploy`. */
export async function migrateTemplate(name: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { migrateDeploy } = require('../tools/prisma-engine/migrate.js');
  await migrateDeploy(databaseUrl(name));
}
