import { Decimal, isDecimalString, writtenDecimalPlaces } from '@tollgate/money';
import { ApiError } from '../common/api-error';

// POST/PATCH /v1/customers bodies (docs/api.md "Customers and plans"), checked field by field.

export interface CustomerInput {
  external_id?: string;
  name?: string | null;
  email?: string | null;
  plan_code?: string;
  discount?: string;
  billing_anchor?: string | null;
  spend_cap?: string | null;
  stripe_customer_id?: string | null;
}

const FIELDS = ['external_id', 'name', 'email', 'plan_code', 'discount', 'billing_anchor', 'spend_cap', 'stripe_customer_id'];

export function readCustomerInput(body: unknown, creating: boolean): CustomerInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  for (const k of Object.keys(o)) if (!FIELDS.includes(k) || (!creating && k === 'external_id')) fail(k, 'is not a field that can be set here');
  const out: CustomerInput = {};
  const text = (k: keyof CustomerInput, required: boolean, nullable: boolean) => {
    const v = o[k];
    if (v === undefined || v === null) {
      if (required) fail(k, 'is required');
      else if (v === null && nullable) (out as Record<string, unknown>)[k] = null;
      return;
    }
    if (typeof v !== 'string' || v.length === 0 || [...v].length > 255 || v.includes('\u0000')) return fail(k, 'must be a non-empty string of at most 255 characters');
    (out as Record<string, unknown>)[k] = v;
  };
  text('external_id', creating, false);
  text('name', false, true);
  text('email', false, true);
  text('plan_code', false, false);
  text('stripe_customer_id', false, true);
  if (o.discount !== undefined && o.discount !== null) {
    const d = o.discount;
    if (!isDecimalString(d) || d.startsWith('-') || new Decimal(d).gt(1) || writtenDecimalPlaces(d) > 30) fail('discount', 'must be a decimal string from "0" to "1", e.g. "0.10"');
    else out.discount = d;
  }
  if (o.spend_cap !== undefined) {
    const c = o.spend_cap;
    if (c === null) out.spend_cap = null;
    else if (!isDecimalString(c) || c.startsWith('-') || writtenDecimalPlaces(c) > 30) fail('spend_cap', 'must be a non-negative decimal string, e.g. "500.00"');
    else out.spend_cap = c;
  }
  if (o.billing_anchor !== undefined) {
    const a = o.billing_anchor;
    if (a === null) out.billing_anchor = null;
    else if (typeof a !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(a) || Number.isNaN(Date.parse(a + 'T00:00:00Z')) || new Date(a + 'T00:00:00Z').toISOString().slice(0, 10) !== a) {
      fail('billing_anchor', 'must be a date, e.g. "2026-01-15"');
    } else out.billing_anchor = a;
  }
  if (errors.length) {
    throw ApiError.invalidRequest(`invalid customer: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  }
  return out;
}
