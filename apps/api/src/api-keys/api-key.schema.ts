import { z } from 'zod';
import { UUID_PATTERN } from '@tollgate/billing';
import { named } from '../common/schema/openapi';
import { decodeCursorText, limitParam, object, optional, text } from '../common/schema/primitives';
import { listOf, timestampOut } from '../common/schema/responses';

// GET /v1/api_keys, DELETE /v1/api_keys/{id}, POST /v1/api_keys/{id}/rotate (docs/api.md, "Keys").

/** Any text: an id that is no key of the organisation is a 404 (the use cases say so), never a 400. */
export const ApiKeyPath = object({ id: text(255) });

/** The last key of the previous page, by id. */
const keyCursor = () =>
  z
    .string()
    .transform((cursor, ctx) => {
      const id = decodeCursorText(cursor);
      if (id === null || !UUID_PATTERN.test(id)) {
        ctx.issues.push({ code: 'custom', message: 'is not a cursor this API returned', input: cursor });
        return z.NEVER;
      }
      return id.toLowerCase();
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });

export const ApiKeyListQuery = object({ cursor: optional(keyCursor()), limit: limitParam() });

const scope = () => z.enum(['ingest', 'admin', 'portal']);

export const ApiKey = named(
  'ApiKey',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    scope: scope(),
    prefix: z.string().meta({ description: 'tg_<scope>_<public id>: the start of the key, up to its secret. Not key material.' }),
    created_at: timestampOut(),
    last_used_at: timestampOut('Noted at most once a minute per api instance.').nullable(),
    expires_at: timestampOut('A rotated key works until then; null until rotated.').nullable(),
  }),
);
export const ApiKeyList = listOf('ApiKeyList', ApiKey);
export const RevokedApiKey = named('RevokedApiKey', z.strictObject({ id: z.string(), revoked_at: timestampOut() }));
export const RotatedApiKey = named(
  'RotatedApiKey',
  z.strictObject({
    id: z.string().meta({ description: "The new key's id." }),
    key: z.string().meta({ description: 'The new key, shown once.' }),
    scope: scope(),
    previous_valid_until: timestampOut('The rotated key works until then (API_KEY_ROTATION_GRACE_SECONDS).'),
  }),
);
