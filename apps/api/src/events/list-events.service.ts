import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import type { Pool } from 'pg';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { TOKENS } from '../common/tokens';
import type { ListEventsFilter } from './event.schema';

function decimalOut(v: string | null): string | null {
  return v === null ? null : new Decimal(v).toFixed();
}

/** GET /v1/events: events as stored, in insertion order, paged by a cursor on that order. */
@Injectable()
export class ListEventsService {
  constructor(@Inject(TOKENS.pool) private readonly pool: Pool) {}

  async list(organizationId: string, q: ListEventsFilter) {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where = ['e.organization_id = $1'];
    const values: unknown[] = [organizationId];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    // Through the customer's id: its index serves a customer with few events in an organisation with many.
    if (q.external_customer_id) {
      add('e.customer_id = (SELECT c.id FROM customers c WHERE c.organization_id = $1 AND c.external_id = ?)', q.external_customer_id);
    }
    if (q.transaction_id) add('e.transaction_id = ?', q.transaction_id);
    if (q.model) add('e.model = ?', q.model);
    if (q.from) add('e.occurred_at >= ?', q.from);
    if (q.to) add('e.occurred_at < ?', q.to);
    if (q.pricing_status) add('e.pricing_status = ?', q.pricing_status);
    if (q.cursor) add('e.id > ?', q.cursor);
    values.push(limit + 1);
    const res = await this.pool.query(
      `SELECT e.* FROM events e WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT $${values.length}`,
      values,
    );
    const rows = res.rows.slice(0, limit);
    return {
      data: rows.map(toApiEvent),
      next_cursor: res.rows.length > limit ? encodeCursor(rows[rows.length - 1].id) : null,
    };
  }
}

export function toApiEvent(r: Record<string, any>) {
  const usage: Record<string, number> = {};
  for (const d of USAGE_DIMENSIONS) usage[d] = Number(r[d]);
  return {
    transaction_id: r.transaction_id,
    external_customer_id: r.external_customer_id,
    timestamp: (r.occurred_at as Date).toISOString(),
    received_at: (r.received_at as Date).toISOString(),
    provider: r.provider,
    model: r.model,
    usage,
    cost: decimalOut(r.reported_cost),
    task_id: r.task_id,
    trace_id: r.trace_id,
    session_id: r.session_id,
    feature: r.feature,
    status: r.status,
    retry_of: r.retry_of,
    metadata: r.metadata,
    pricing_status: r.pricing_status,
    unpriced_reason: r.unpriced_reason,
    provider_cost: decimalOut(r.provider_cost),
    rated_amount: decimalOut(r.rated_amount),
    charge: r.charge,
    rate_card_id: r.rate_card_id,
  };
}
