import { z } from 'zod';
import { named } from '../common/schema/openapi';
import { object, oneOf, text } from '../common/schema/primitives';

// Organisations and API keys.

const NOT_BLANK = /\S/;
const name = () => text(255, { pattern: NOT_BLANK, patternMessage: 'must not be blank' });

export const CreateOrganizationRequest = named('CreateOrganizationRequest', object({ name: name() }));
export const CreateApiKeyRequest = named('CreateApiKeyRequest', object({ scope: oneOf(['ingest', 'admin']), name: name() }));

export const CreatedOrganization = named(
  'CreatedOrganization',
  z.strictObject({ id: z.string(), name: z.string(), admin_key: z.string().meta({ description: 'Shown once.' }) }),
);
export const CreatedApiKey = named(
  'CreatedApiKey',
  z.strictObject({ id: z.string(), key: z.string().meta({ description: 'Shown once.' }), scope: z.enum(['ingest', 'admin']) }),
);
