import type { IngestEventsCommand, RejectedEvent } from '@tollgate/billing';
import { ApiError } from '../common/api-error';
import { isEventError, validateEvent, ValidationWindow, type ValidEvent } from './validate-event';

export const MAX_EVENTS_PER_REQUEST = 1000;

/**
 * `POST /v1/events` body -> the ingest command: only a body that is not `{"events": [1–1,000 objects]}` fails
 * the whole request; each event is validated on its own and a bad one is rejected alone, in request order.
 */
export function readIngestRequest(organizationId: string, body: unknown, window: ValidationWindow): IngestEventsCommand {
  const events = (body as { events?: unknown } | null)?.events;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(events)) {
    throw ApiError.invalidRequest('the body must be {"events": [ ... ]}');
  }
  if (events.length < 1 || events.length > MAX_EVENTS_PER_REQUEST) {
    throw ApiError.invalidRequest(`"events" must hold 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${events.length}`);
  }
  const bad = events.findIndex((e) => typeof e !== 'object' || e === null || Array.isArray(e));
  if (bad >= 0) throw ApiError.invalidRequest(`events[${bad}] must be a JSON object`);

  const items: (ValidEvent | RejectedEvent)[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const raw = events[i] as Record<string, unknown>;
    const v = validateEvent(raw, window);
    items[i] = isEventError(v) ? { rejected: v, transactionId: typeof raw.transaction_id === 'string' ? raw.transaction_id : null } : v;
  }
  return { organizationId, events: items };
}
