import { createDatabase, migrateTemplate } from './template';

/** One migrated template database per test run; every test file clones it (libs/testing/src/db.ts). */
export default async function globalSetup(): Promise<void> {
  const name = await createDatabase();
  await migrateTemplate(name);
  process.env.TOLLGATE_TEST_TEMPLATE_DB = name;
}
