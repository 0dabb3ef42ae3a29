import { isUuid, isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@tollgate/billing';
import { ApiError } from '../common/api-error';
import { decodeCursor, parseLimit } from '../common/pagination';

// GET /v1/webhook_deliveries query (docs/api.md, "Webhooks").

export interface WebhookDeliveriesParams {
  endpoint_id?: string;
  event?: string;
  event_id?: string;
  cursor?: string;
  limit?: string;
}

export interface WebhookDeliveriesQuery {
  endpointId?: string;
  eventType?: WebhookEventType;
  eventId?: string;
  beforeSeq: bigint | null;
  limit: number;
}

export function readWebhookDeliveriesQuery(q: WebhookDeliveriesParams): WebhookDeliveriesQuery {
  const out: WebhookDeliveriesQuery = { beforeSeq: q.cursor ? BigInt(decodeCursor(q.cursor)) : null, limit: parseLimit(q.limit) };
  if (q.endpoint_id) {
    if (!isUuid(q.endpoint_id)) throw ApiError.invalidRequest('endpoint_id must be a webhook endpoint id');
    out.endpointId = q.endpoint_id;
  }
  if (q.event_id) {
    if (!isUuid(q.event_id)) throw ApiError.invalidRequest('event_id must be an event id');
    out.eventId = q.event_id;
  }
  if (q.event) {
    if (!isWebhookEventType(q.event)) throw ApiError.invalidRequest(`event must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    out.eventType = q.event;
  }
  return out;
}
