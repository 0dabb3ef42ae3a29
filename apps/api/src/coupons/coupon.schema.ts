import { z } from 'zod';
import { UUID_PATTERN } from '@tollgate/billing';
import { COUPON_AMOUNT, COUPON_PERCENT } from '../common/limits';
import { named } from '../common/schema/openapi';
import { decimalString, decodeCursorText, instant, limitParam, object, oneOf, optional, text } from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut } from '../common/schema/responses';

// Coupons of a customer (docs/api.md "Coupons").

export const CreateCouponRequest = named(
  'CreateCouponRequest',
  object({
    kind: oneOf(['fixed', 'percentage']),
    amount: optional(decimalString({ ...COUPON_AMOUNT, description: 'Fixed coupons: the amount off, in the customer’s currency.' })),
    percent: optional(decimalString({ ...COUPON_PERCENT, description: 'Percentage coupons: "10" is 10% of the invoice so far.' })),
    frequency: oneOf(['once', 'forever'], 'once: on the next invoice finalized with it; forever: on every invoice.'),
    expires_at: optional(instant('It applies to invoices of periods that start before then.')),
  })
    .superRefine((v, ctx) => {
      // A fixed coupon has an amount and no percent; a percentage one the other way round.
      const [needed, refused] = v.kind === 'fixed' ? (['amount', 'percent'] as const) : (['percent', 'amount'] as const);
      if (v[needed] === undefined) ctx.addIssue({ code: 'custom', path: [needed], message: `is required for a ${v.kind} coupon` });
      if (v[refused] !== undefined) ctx.addIssue({ code: 'custom', path: [refused], message: `is not a field of a ${v.kind} coupon` });
    })
    .meta({ description: '{"kind": "fixed", "amount"} or {"kind": "percentage", "percent"}.' }),
);

export const Coupon = named(
  'Coupon',
  z.strictObject({
    id: z.string(),
    kind: z.enum(['fixed', 'percentage']),
    amount: decimalOut().nullable().optional(),
    percent: decimalOut().nullable().optional(),
    frequency: z.enum(['once', 'forever']),
    expires_at: timestampOut().nullable(),
    status: z.enum(['active', 'used', 'expired', 'removed']),
    used_by_invoice_id: z.string().nullable().meta({ description: 'A once coupon: the invoice that used it up.' }),
    created_at: timestampOut(),
    removed_at: timestampOut().nullable(),
  }),
);

export const CouponList = listOf('CouponList', Coupon);

export const CouponsPath = object({ id: text(255, { description: "The customer's external_id." }) });
export const CouponPath = object({ id: text(255, { description: "The customer's external_id." }), coupon_id: text(255) });

/** The last coupon of a page: its creation time (ms) and id. */
function couponCursor() {
  return z
    .string()
    .transform((cursor, ctx) => {
      const [ms, id] = (decodeCursorText(cursor) ?? '').split('.');
      if (!/^\d{1,15}$/.test(ms ?? '') || !UUID_PATTERN.test(id ?? '')) {
        ctx.issues.push({ code: 'custom', message: 'is not a cursor this API returned', input: cursor });
        return z.NEVER;
      }
      return { createdAt: new Date(Number(ms)), id: id! };
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });
}

export const writeCouponCursor = (after: { createdAt: Date; id: string } | null) =>
  after === null ? null : Buffer.from(`${after.createdAt.getTime()}.${after.id}`).toString('base64url');

export const CouponListQuery = object({ cursor: optional(couponCursor()), limit: limitParam() });
