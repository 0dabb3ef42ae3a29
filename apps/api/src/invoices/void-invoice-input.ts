import { ApiError } from '../common/api-error';

// POST /v1/invoices/{id}/void body: {"reason"}: why, 1 to 500 characters (kept on the invoice).

export function readVoidInput(body: unknown): { reason: string } {
  const o = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  for (const k of Object.keys(o)) if (k !== 'reason') problems.push({ field: k, message: 'is not a field of this request' });
  const reason = o.reason;
  if (typeof reason !== 'string' || reason.trim().length === 0 || [...reason].length > 500 || reason.includes('\u0000')) {
    problems.push({ field: 'reason', message: 'is required: why the invoice is void, 1 to 500 characters' });
  }
  if (problems.length > 0) throw ApiError.invalidRequest(`invalid void: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return { reason: (reason as string).trim() };
}
