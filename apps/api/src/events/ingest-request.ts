import type { IngestEventsCommand, RejectedEvent } from '@tollgate/billing';
import { isEventError, validateEvent, type ValidationWindow, type ValidEvent } from './validate-event';

/**
 * `POST /v1/events` -> the ingest command. The envelope (`{"events": [1–1,000 objects]}`) was checked by its
 * schema; each event is validated here on its own, and a bad one is rejected alone, in request order.
 */
export function readIngestRequest(
  organizationId: string,
  events: readonly Record<string, unknown>[],
  window: ValidationWindow,
): IngestEventsCommand {
  const items: (ValidEvent | RejectedEvent)[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const raw = events[i];
    const v = validateEvent(raw, window);
    items[i] = isEventError(v) ? { rejected: v, transactionId: typeof raw.transaction_id === 'string' ? raw.transaction_id : null } : v;
  }
  return { organizationId, events: items };
}
