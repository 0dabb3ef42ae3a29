import { z } from 'zod';
import { UUID_PATTERN, WEBHOOK_EVENT_TYPES } from '@tollgate/billing';
import { named } from '../common/schema/openapi';
import { array, idCursor, limitParam, object, oneOf, optional, stringProblem, text, typeName } from '../common/schema/primitives';
import { listOf, timestampOut } from '../common/schema/responses';

// Webhook endpoints and deliveries (docs/api.md, "Webhooks").

const MAX_URL = 2048;

/** Which problem a receiver's URL has, or null. */
function urlProblem(value: string): string | null {
  const problem = stringProblem(value, MAX_URL);
  if (problem) return problem;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  // Lists show the URL: a password in it would be shown to every admin key.
  if (url.username || url.password) return 'must not contain credentials: receivers verify the Tollgate-Signature header instead';
  return null;
}

/**
 * NOTE: any http(s) URL is taken, localhost and private addresses included (a receiver on the operator's own
 * network, the tests' local receiver); docs/design.md "Webhooks" says what a multi-tenant instance should do.
 */
const receiverUrl = () =>
  z
    .string({ error: (iss) => (iss.input == null ? 'is required' : `must be a string, not ${typeName(iss.input)}`) })
    .check((ctx) => {
      const problem = urlProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .meta({
      format: 'uri',
      minLength: 1,
      maxLength: MAX_URL,
      description: 'http or https, without credentials; localhost and private addresses are accepted.',
      example: 'https://example.com/tollgate/webhooks',
    });

const eventType = (description?: string) => oneOf(WEBHOOK_EVENT_TYPES, description);
const uuidParam = (what: string) => text(255, { pattern: UUID_PATTERN, patternMessage: `must be the id of ${what}` });

export const CreateWebhookEndpointRequest = named(
  'CreateWebhookEndpointRequest',
  object({
    url: receiverUrl(),
    events: array(eventType(), 1, 50, 'event types').meta({
      description: 'The event types the endpoint receives (duplicates are dropped).',
    }),
    description: optional(text(255)),
  }),
);

export const WebhookEndpointPath = object({ id: text(255) });
export const WebhookEndpointListQuery = object({ cursor: optional(idCursor()), limit: limitParam() });

export const WebhookDeliveriesQuery = object({
  endpoint_id: optional(uuidParam('a webhook endpoint')),
  event: optional(eventType('An event type.')),
  event_id: optional(uuidParam('an event')),
  cursor: optional(idCursor()),
  limit: limitParam(),
});
export const WebhookDeliveryPath = object({ id: text(255) });

export const WebhookEndpoint = named(
  'WebhookEndpoint',
  z.strictObject({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    created_at: timestampOut(),
    disabled_at: timestampOut().nullable(),
  }),
);

export const CreatedWebhookEndpoint = named(
  'CreatedWebhookEndpoint',
  WebhookEndpoint.extend({ secret: z.string().meta({ description: 'Signs every delivery (whsec_…). Shown once, in this answer only.' }) }),
);

export const WebhookEndpointList = listOf('WebhookEndpointList', WebhookEndpoint);

export const WebhookDelivery = named(
  'WebhookDelivery',
  z.strictObject({
    id: z.string(),
    endpoint_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    replay: z.number().int().meta({ description: '0: the delivery made when the event was published; 1, 2, …: replays.' }),
    status: z.enum(['pending', 'delivered', 'failed', 'canceled']),
    next_attempt_at: timestampOut('When a pending delivery is attempted next.').nullable(),
    delivered_at: timestampOut().nullable(),
    created_at: timestampOut(),
    attempts: z.array(
      z.strictObject({
        number: z.number().int(),
        started_at: timestampOut(),
        finished_at: timestampOut().nullable(),
        duration_ms: z.number().int().nullable(),
        status_code: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null without an answer." }),
        outcome: z.enum(['succeeded', 'failed', 'in_flight']),
        error: z.string().nullable(),
        next_attempt_at: timestampOut('After a failed attempt: when the next one is due (null once delivered or given up).').nullable(),
      }),
    ),
  }),
);

export const WebhookDeliveryList = listOf('WebhookDeliveryList', WebhookDelivery);
