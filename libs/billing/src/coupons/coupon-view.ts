import type { CouponRow } from '@tollgate/db';

export type CouponStatus = 'active' | 'used' | 'expired' | 'removed';

/** A coupon as the API shows it; its status as of `now` (the billing clock). */
export function couponJson(c: CouponRow, now: Date) {
  const status: CouponStatus =
    c.removed_at !== null
      ? 'removed'
      : c.used_by_invoice_id !== null
        ? 'used'
        : c.expires_at !== null && c.expires_at.getTime() <= now.getTime()
          ? 'expired'
          : 'active';
  return {
    id: c.id,
    kind: c.kind,
    ...(c.kind === 'fixed' ? { amount: c.amount } : { percent: c.percent }),
    frequency: c.frequency,
    expires_at: c.expires_at === null ? null : c.expires_at.toISOString(),
    status,
    used_by_invoice_id: c.used_by_invoice_id,
    created_at: c.created_at.toISOString(),
    removed_at: c.removed_at === null ? null : c.removed_at.toISOString(),
  };
}

export type CouponJson = ReturnType<typeof couponJson>;
