// A customer's billing periods (docs/design.md "Periods"): calendar months by default, or anniversary periods
// from the customer's billing_anchor date. All in UTC.

export type BillingInterval = 'month' | 'year';

export interface BillingPeriod {
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The anchor's day in a given month, clamped to the month's length (an anchor on the 31st bills on Feb 28/29). */
function anchorIn(year: number, month: number, anchorDay: number): number {
  return Date.UTC(year, month, Math.min(anchorDay, daysInMonth(year, month)));
}

/** Period boundary number `n` months after (year, month) of the anchor's day. */
function boundary(year: number, month: number, n: number, anchorDay: number): number {
  const m = month + n;
  return anchorIn(year + Math.floor(m / 12), ((m % 12) + 12) % 12, anchorDay);
}

/**
 * The period containing `at`. `anchor` null means calendar periods (the 1st of the month, or January 1st
 * for yearly plans); otherwise periods start on the anchor's day of month (and month, for yearly plans).
 */
export function billingPeriod(at: Date | number, anchor: Date | null, interval: BillingInterval = 'month'): BillingPeriod {
  const t = typeof at === 'number' ? at : at.getTime();
  const d = new Date(t);
  const step = interval === 'year' ? 12 : 1;
  const anchorDay = anchor === null ? 1 : anchor.getUTCDate();
  const anchorMonth = anchor === null ? 0 : anchor.getUTCMonth();
  // Start from a boundary at or before `at`, then step forward.
  const year = d.getUTCFullYear();
  let month = interval === 'year' ? anchorMonth : d.getUTCMonth();
  let start = boundary(year, month, 0, anchorDay);
  while (start > t) {
    month -= step;
    start = boundary(year, month, 0, anchorDay);
  }
  let end = boundary(year, month, step, anchorDay);
  while (end <= t) {
    month += step;
    start = end;
    end = boundary(year, month, step, anchorDay);
  }
  return { start: new Date(start), end: new Date(end) };
}
