import { z } from 'zod';
import { named } from '../common/schema/openapi';

export const Health = named('Health', z.strictObject({ status: z.literal('ok') }));
export const Readiness = named(
  'Readiness',
  z.strictObject({
    status: z.enum(['ready', 'not_ready']),
    checks: z
      .strictObject({ postgres: z.string(), migrations: z.string(), redis: z.string() })
      .meta({ description: '"ok", or what is wrong.' }),
  }),
);
