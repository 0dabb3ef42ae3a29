import { dropDatabase } from '../libs/testing/src/db';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.TOLLGATE_TEST_TEMPLATE_DB;
  if (name) await dropDatabase(name);
}
