import { INVOICE_STATUSES, type InvoiceStatus, type ListInvoicesQuery } from '@tollgate/billing';
import { ApiError } from '../common/api-error';
import { parseLimit, parseTime } from '../common/pagination';

// GET /v1/invoices?external_customer_id=&status=&from=&to=&cursor=&limit= (docs/api.md "Invoices").

export interface ListInvoicesParams {
  external_customer_id?: string;
  status?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor is the last invoice of the page: its period start (ms) and id. */
export function writeInvoiceCursor(after: { periodStart: Date; id: string } | null): string | null {
  return after === null ? null : Buffer.from(`${after.periodStart.getTime()}.${after.id}`).toString('base64url');
}

function readCursor(cursor: string): { periodStart: Date; id: string } {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString().split('.');
  if (!/^\d{1,15}$/.test(ms ?? '') || !UUID.test(id ?? '')) throw ApiError.invalidRequest('cursor is not one this API returned');
  return { periodStart: new Date(Number(ms)), id };
}

export function readListInvoicesQuery(organizationId: string, q: ListInvoicesParams): ListInvoicesQuery {
  if (q.status !== undefined && q.status !== '' && !(INVOICE_STATUSES as readonly string[]).includes(q.status)) {
    throw ApiError.invalidRequest(`status must be one of ${INVOICE_STATUSES.join(', ')}`, [{ field: 'status', message: 'unknown status' }]);
  }
  return {
    organizationId,
    ...(q.external_customer_id ? { externalCustomerId: q.external_customer_id } : {}),
    ...(q.status ? { status: q.status as InvoiceStatus } : {}),
    ...(q.from ? { from: parseTime(q.from, 'from') } : {}),
    ...(q.to ? { to: parseTime(q.to, 'to') } : {}),
    after: q.cursor ? readCursor(q.cursor) : null,
    limit: parseLimit(q.limit),
  };
}
