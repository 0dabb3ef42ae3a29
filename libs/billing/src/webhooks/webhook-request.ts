import { SIGNATURE_HEADER, signatureHeader } from './signature';

export interface WebhookEventData {
  id: string;
  type: string;
  created_at: Date;
  payload: unknown;
}

/** The body every endpoint receives: the event, its `data` as published. Built again for each attempt, the same each time. */
export function webhookBody(event: WebhookEventData): string {
  return JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at.toISOString(), data: event.payload });
}

/** The headers of one attempt, signed at `timestamp` (Unix seconds). */
export function webhookHeaders(
  event: WebhookEventData,
  deliveryId: string,
  secret: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Tollgate-Webhooks/1',
    'Tollgate-Event-Id': event.id,
    'Tollgate-Event-Type': event.type,
    'Tollgate-Delivery-Id': deliveryId,
    [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, body),
  };
}
