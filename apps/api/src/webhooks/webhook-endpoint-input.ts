import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@tollgate/billing';
import { ApiError } from '../common/api-error';

// POST /v1/webhook_endpoints body (docs/api.md, "Webhooks"), checked field by field.

export interface WebhookEndpointInput {
  url: string;
  events: WebhookEventType[];
  description: string | null;
}

const FIELDS = ['url', 'events', 'description'];
const MAX_URL_LENGTH = 2048;

/**
 * NOTE: any http(s) URL is taken, localhost and private addresses included (a receiver on the operator's own
 * network, and the tests' local receiver); credentials in the URL are refused, since lists show the URL.
 */
function readUrl(value: unknown): string | string[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH || value.includes('\u0000')) return [`must be a URL of at most ${MAX_URL_LENGTH} characters`];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ['is not a valid URL'];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return ['must be an http or https URL'];
  if (url.username || url.password) return ['must not contain credentials: receivers verify the Tollgate-Signature header instead'];
  return value;
}

export function readWebhookEndpointInput(body: unknown): WebhookEndpointInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(k, 'is not a field of a webhook endpoint');

  const url = o.url === undefined || o.url === null ? ['is required'] : readUrl(o.url);
  if (Array.isArray(url)) fail('url', url[0]);

  const events: WebhookEventType[] = [];
  if (o.events === undefined || o.events === null) fail('events', 'is required');
  else if (!Array.isArray(o.events) || o.events.length === 0) fail('events', 'must be a non-empty array of event types');
  else {
    o.events.forEach((type, i) => {
      if (isWebhookEventType(type)) events.push(type);
      else fail(`events[${i}]`, `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    });
  }

  let description: string | null = null;
  if (o.description !== undefined && o.description !== null) {
    const d = o.description;
    if (typeof d !== 'string' || [...d].length > 255 || d.includes('\u0000')) fail('description', 'must be a string of at most 255 characters');
    else description = d;
  }

  if (errors.length) throw ApiError.invalidRequest(`invalid webhook endpoint: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  return { url: url as string, events: [...new Set(events)], description };
}
