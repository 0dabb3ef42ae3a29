import type { WebhookDeliveryRow, WebhookEndpointRow } from '@tollgate/db';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** An endpoint as the api shows it: never its secret, which only its creation answers. */
export function toApiWebhookEndpoint(e: WebhookEndpointRow) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    status: e.disabled_at === null ? 'enabled' : 'disabled',
    created_at: e.created_at.toISOString(),
    disabled_at: iso(e.disabled_at),
  };
}

export function toApiWebhookDelivery(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    event_id: d.event_id,
    event_type: d.event_type,
    replay: d.replay,
    status: d.status,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    delivered_at: iso(d.delivered_at),
    created_at: d.created_at.toISOString(),
    attempts: d.tries.map((t) => ({
      number: t.number,
      started_at: t.started_at.toISOString(),
      finished_at: iso(t.finished_at),
      duration_ms: t.duration_ms,
      status_code: t.status_code,
      outcome: t.outcome ?? 'in_flight',
      error: t.error,
      next_attempt_at: iso(t.next_attempt_at),
    })),
  };
}
