import { ApiError } from '../common/api-error';
import { readTimestampField } from '../common/timestamp-field';

// POST /v1/customers/{id}/invoices/close body: {"period_end"?} (docs/api.md "Invoices"); no body is {}.

export function readClosePeriodInput(body: unknown): { periodEnd?: Date } {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  for (const k of Object.keys(o)) if (k !== 'period_end') problems.push({ field: k, message: 'is not a field of this request' });
  let periodEnd: Date | undefined;
  if (o.period_end !== undefined && o.period_end !== null) {
    const d = readTimestampField(o.period_end);
    if (d === null) problems.push({ field: 'period_end', message: 'must be an RFC 3339 timestamp or Unix milliseconds' });
    else periodEnd = d;
  }
  if (problems.length > 0) throw ApiError.invalidRequest(`invalid close: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return periodEnd === undefined ? {} : { periodEnd };
}
