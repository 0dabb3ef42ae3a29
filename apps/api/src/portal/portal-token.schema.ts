import { z } from 'zod';
import { PORTAL_TOKEN_SECONDS } from '../common/limits';
import { named } from '../common/schema/openapi';
import { integer, object, optional, text } from '../common/schema/primitives';
import { timestampOut } from '../common/schema/responses';

export const PortalTokenPath = object({ id: text(255, { description: "The customer's external_id." }) });

export const CreatePortalTokenRequest = named(
  'CreatePortalTokenRequest',
  optional(
    object({
      expires_in: optional(
        integer(
          PORTAL_TOKEN_SECONDS.min,
          PORTAL_TOKEN_SECONDS.max,
          `Seconds until the link stops working (default ${PORTAL_TOKEN_SECONDS.default}, 7 days).`,
        ),
      ),
    }),
  ),
);

export const PortalTokenResponse = named(
  'PortalToken',
  z.strictObject({
    id: z.string().meta({ description: 'The portal key: DELETE /v1/api_keys/{id} revokes the link.' }),
    url: z.string().meta({ description: "Opens the customer's portal; it holds the token, shown once." }),
    expires_at: timestampOut(),
  }),
);
