import type { EventPage, ListEventsQuery } from '@tollgate/billing';
import type { StoredEvent, PricingStatus } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { decodeCursor, encodeCursor, parseLimit, parseTime } from '../common/pagination';

const PRICING_STATUSES: readonly PricingStatus[] = ['pending', 'priced', 'unpriced'];

export interface ListEventsParams {
  external_customer_id?: string;
  transaction_id?: string;
  from?: string;
  to?: string;
  model?: string;
  pricing_status?: string;
  cursor?: string;
  limit?: string;
}

/** `GET /v1/events` query -> the list query (empty parameters are no filter). */
export function readListEventsQuery(organizationId: string, q: ListEventsParams): ListEventsQuery {
  if (q.pricing_status && !(PRICING_STATUSES as readonly string[]).includes(q.pricing_status)) {
    throw ApiError.invalidRequest(`pricing_status must be one of ${PRICING_STATUSES.join(', ')}`);
  }
  return {
    organizationId,
    limit: parseLimit(q.limit),
    ...(q.external_customer_id ? { externalCustomerId: q.external_customer_id } : {}),
    ...(q.transaction_id ? { transactionId: q.transaction_id } : {}),
    ...(q.model ? { model: q.model } : {}),
    ...(q.from ? { from: parseTime(q.from, 'from') } : {}),
    ...(q.to ? { to: parseTime(q.to, 'to') } : {}),
    ...(q.pricing_status ? { pricingStatus: q.pricing_status as PricingStatus } : {}),
    ...(q.cursor ? { afterId: decodeCursor(q.cursor) } : {}),
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
