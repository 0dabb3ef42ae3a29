import { z } from 'zod';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { named } from './openapi';

// Pieces of response bodies. Responses are documented, not parsed at run time; the api's contract test
// parses real responses with them (apps/api/test/openapi.test.ts), so they cannot drift either.

export const ErrorResponse = named(
  'Error',
  z
    .strictObject({
      error: z.strictObject({
        code: z
          .string()
          .meta({ description: 'invalid_request, invalid_json, unauthorized, forbidden, not_found, rate_limited, unavailable, …' }),
        message: z.string(),
        details: z
          .array(z.strictObject({ field: z.string(), message: z.string() }))
          .optional()
          .meta({ description: 'Every problem found, one per field.' }),
      }),
    })
    .meta({ description: 'Every error the API sends (docs/input.md "Errors").' }),
);

/** An exact decimal string, unrounded unless the field says so. */
export const decimalOut = (description?: string) =>
  z.string().meta({ pattern: '^-?\\d+(\\.\\d+)?$', ...(description ? { description } : {}) });
/** An RFC 3339 UTC timestamp with milliseconds. */
export const timestampOut = (description?: string) => z.string().meta({ format: 'date-time', ...(description ? { description } : {}) });

export const TokenCounts = named(
  'TokenCounts',
  z.strictObject(
    Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, z.number().int()])) as Record<(typeof USAGE_DIMENSIONS)[number], z.ZodNumber>,
  ),
);

/** `{data, next_cursor}`: every list of the API. */
export function listOf<T extends z.ZodType>(id: string, item: T) {
  return named(
    id,
    z.strictObject({
      data: z.array(item),
      next_cursor: z.string().nullable().meta({ description: 'Pass as cursor= for the next page; null on the last.' }),
    }),
  );
}
