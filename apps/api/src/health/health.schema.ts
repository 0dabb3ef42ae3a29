import { z } from 'zod';
import { named } from '../common/schema/openapi';

export const Health = named('Health', z.strictObject({ status: z.literal('ok') }));
export const Readiness = named(
  'Readiness',
  z.strictObject({
    status: z.enum(['ready', 'not_ready']),
    checks: z
      .strictObject({
        postgres: z.enum(['ok', 'down']),
        migrations: z.enum(['ok', 'pending', 'unknown']).meta({ description: 'unknown while Postgres is down' }),
        redis: z.enum(['ok', 'down']),
      })
      .meta({ description: 'Which dependency is down; never its error (the api logs it).' }),
  }),
);
