import type { EventPage, ListEventsQuery } from '@tollgate/billing';
import type { StoredEvent } from '@tollgate/db';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import type { ListEventsFilter } from './event.schema';

/** `GET /v1/events` query (checked by ListEventsQuery) -> the list query. */
export function readListEventsQuery(organizationId: string, q: ListEventsFilter): ListEventsQuery {
  return {
    organizationId,
    limit: q.limit ?? DEFAULT_LIMIT,
    ...(q.external_customer_id ? { externalCustomerId: q.external_customer_id } : {}),
    ...(q.transaction_id ? { transactionId: q.transaction_id } : {}),
    ...(q.model ? { model: q.model } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.pricing_status ? { pricingStatus: q.pricing_status } : {}),
    ...(q.cursor ? { afterId: q.cursor } : {}),
  };
}

export function toApiEvent(e: StoredEvent) {
  return {
    transaction_id: e.transaction_id,
    external_customer_id: e.external_customer_id,
    timestamp: e.occurred_at.toISOString(),
    received_at: e.received_at.toISOString(),
    provider: e.provider,
    model: e.model,
    usage: e.usage,
    cost: e.reported_cost,
    task_id: e.task_id,
    trace_id: e.trace_id,
    session_id: e.session_id,
    feature: e.feature,
    status: e.status,
    retry_of: e.retry_of,
    metadata: e.metadata,
    pricing_status: e.pricing_status,
    unpriced_reason: e.unpriced_reason,
    provider_cost: e.provider_cost,
    rated_amount: e.rated_amount,
    charge: e.charge,
    rate_card_id: e.rate_card_id,
  };
}

export function toApiEventPage(page: EventPage) {
  return { data: page.events.map(toApiEvent), next_cursor: page.nextAfterId === null ? null : encodeCursor(page.nextAfterId) };
}
