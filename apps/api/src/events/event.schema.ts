import { USAGE_DIMENSIONS } from '@tollgate/pricing';

// The Event of docs/api.md as an OpenAPI schema (served at /docs).
const id = { type: 'string', minLength: 1, maxLength: 255 };

export const EVENT_SCHEMA = {
  type: 'object',
  required: ['transaction_id', 'external_customer_id', 'provider', 'model'],
  properties: {
    transaction_id: { ...id, description: 'Idempotency key within the organisation; a retry must reuse it' },
    external_customer_id: { ...id, description: 'Unknown ids create a customer on the default plan' },
    timestamp: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }], description: 'RFC 3339 or Unix ms; default: time received' },
    provider: { type: 'string', example: 'openai' },
    model: { type: 'string', example: 'gpt-4o' },
    usage: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, { type: 'integer', minimum: 0, maximum: 1e12 }])),
    },
    cost: { type: 'string', description: 'Cost the provider reported, USD decimal string' },
    task_id: { type: 'string' },
    trace_id: { type: 'string' },
    session_id: { type: 'string' },
    feature: { type: 'string' },
    status: {
      type: 'string',
      enum: ['success', 'error', 'usage_unknown'],
      description: "usage_unknown: the call's usage could not be read; stored unpriced, never priced at zero",
    },
    retry_of: { type: 'string' },
    metadata: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 32 },
  },
};
