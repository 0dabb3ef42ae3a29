import { Decimal, isDecimalString, writtenDecimalPlaces } from '@tollgate/money';
import { ApiError } from '../common/api-error';

// PUT /v1/customers/{id}/usage_alerts body (docs/api.md, "Usage alerts").

const MAX_THRESHOLDS = 20;

export function readUsageAlertsInput(body: unknown): { thresholds: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  for (const k of Object.keys(o)) if (k !== 'thresholds') errors.push({ field: k, message: 'is not a field of usage alerts' });
  const t = o.thresholds;
  const thresholds: string[] = [];
  if (!Array.isArray(t) || t.length > MAX_THRESHOLDS) errors.push({ field: 'thresholds', message: `must be an array of at most ${MAX_THRESHOLDS} amounts ([] removes them)` });
  else {
    t.forEach((v, i) => {
      if (!isDecimalString(v) || v.startsWith('-') || writtenDecimalPlaces(v) > 30 || !new Decimal(v).gt(0) || new Decimal(v).gte('1e30')) {
        errors.push({ field: `thresholds[${i}]`, message: 'must be a positive decimal string, e.g. "100.00"' });
      } else thresholds.push(v);
    });
  }
  if (errors.length) throw ApiError.invalidRequest(`invalid usage alerts: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  return { thresholds };
}
