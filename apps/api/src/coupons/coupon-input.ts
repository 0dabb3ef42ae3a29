import type { CreateCouponCommand } from '@tollgate/billing';
import { isDecimalString, writtenDecimalPlaces } from '@tollgate/money';
import { ApiError } from '../common/api-error';
import { readTimestampField } from '../common/timestamp-field';

// POST /v1/customers/{id}/coupons body (docs/api.md "Coupons"):
// {"kind": "fixed", "amount"} or {"kind": "percentage", "percent"}, "frequency": "once"|"forever", "expires_at"?.

const FIELDS = ['kind', 'amount', 'percent', 'frequency', 'expires_at'];

export function readCouponInput(body: unknown): Omit<CreateCouponCommand, 'organizationId' | 'externalId'> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  const fail = (field: string, message: string) => problems.push({ field, message });
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(k, 'is not a field of a coupon');
  const kind = o.kind;
  if (kind !== 'fixed' && kind !== 'percentage') fail('kind', 'must be "fixed" or "percentage"');
  const frequency = o.frequency;
  if (frequency !== 'once' && frequency !== 'forever') fail('frequency', 'must be "once" or "forever"');
  const valueField = kind === 'percentage' ? 'percent' : 'amount';
  const other = kind === 'percentage' ? 'amount' : 'percent';
  const value = o[valueField];
  if (kind === 'fixed' || kind === 'percentage') {
    if (typeof value !== 'string' || !isDecimalString(value) || value.startsWith('-') || writtenDecimalPlaces(value) > 30 || value.replace(/^0+|\..*$/g, '').length > 20) {
      fail(valueField, `is required for a ${kind} coupon: a positive decimal string, e.g. "${kind === 'fixed' ? '10.00' : '15'}"`);
    }
    if (o[other] !== undefined && o[other] !== null) fail(other, `is not a field of a ${kind} coupon`);
  }
  let expiresAt: Date | null = null;
  if (o.expires_at !== undefined && o.expires_at !== null) {
    expiresAt = readTimestampField(o.expires_at);
    if (expiresAt === null) fail('expires_at', 'must be an RFC 3339 timestamp or Unix milliseconds');
  }
  if (problems.length > 0) throw ApiError.invalidRequest(`invalid coupon: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return { kind: kind as 'fixed' | 'percentage', value: value as string, frequency: frequency as 'once' | 'forever', expiresAt };
}
