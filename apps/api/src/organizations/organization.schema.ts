import { z } from 'zod';
import { named } from '../common/schema/openapi';
import { TARGET_MARGIN } from '../common/limits';
import { decimalString, object, oneOf, optional, text } from '../common/schema/primitives';
import { decimalOut, timestampOut } from '../common/schema/responses';

// Organisations and API keys.

const NOT_BLANK = /\S/;
const name = () => text(255, { pattern: NOT_BLANK, patternMessage: 'must not be blank' });

/** Invoice numbers are <prefix>-<year>-<sequence>. */
const invoicePrefix = () =>
  text(16, {
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*$/,
    patternMessage: 'must be letters, digits or dashes, starting with a letter or digit',
    description: 'Prefix of invoice numbers (<prefix>-<year>-<sequence>); default TG.',
  });

export const CreateOrganizationRequest = named(
  'CreateOrganizationRequest',
  object({ name: name(), invoice_prefix: optional(invoicePrefix()) }),
);
export const ChangeOrganizationRequest = named(
  'ChangeOrganizationRequest',
  object({ name: optional(name()), invoice_prefix: optional(invoicePrefix()), target_margin: optional(decimalString(TARGET_MARGIN)) }).meta(
    {
      description: 'Only the fields sent change; a new prefix numbers the invoices finalized from then on.',
    },
  ),
);
export const CreateApiKeyRequest = named('CreateApiKeyRequest', object({ scope: oneOf(['ingest', 'admin']), name: name() }));

export const CreatedOrganization = named(
  'CreatedOrganization',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    invoice_prefix: z.string(),
    admin_key: z.string().meta({ description: 'Shown once.' }),
  }),
);
export const Organization = named(
  'Organization',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    invoice_prefix: z.string(),
    target_margin: decimalOut('The margin its customers should keep (default 0.3).'),
    created_at: timestampOut(),
  }),
);
export const CreatedApiKey = named(
  'CreatedApiKey',
  z.strictObject({ id: z.string(), key: z.string().meta({ description: 'Shown once.' }), scope: z.enum(['ingest', 'admin']) }),
);
