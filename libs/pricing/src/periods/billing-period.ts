// A customer's billing periods (docs/design.md "Periods"): calendar months by default, or anniversary periods
// from the customer's billing_anchor date; weekly, monthly or yearly as the plan says. All in UTC.

export type BillingInterval = 'week' | 'month' | 'year';

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

const WEEK = 7 * 86_400_000;
/** A Monday: calendar weeks start on Mondays (ISO 8601). */
const MONDAY = Date.UTC(1970, 0, 5);

/** Weeks from the anchor's weekday (midnight UTC), or calendar weeks from Monday. */
function weekContaining(t: number, anchor: Date | null): BillingPeriod {
  const origin = anchor === null ? MONDAY : Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), anchor.getUTCDate());
  const start = origin + Math.floor((t - origin) / WEEK) * WEEK;
  return { start: new Date(start), end: new Date(start + WEEK) };
}

/**
 * The period containing `at`. `anchor` null means calendar periods (Monday for weekly plans, the 1st of the
 * month, or January 1st for yearly plans); otherwise periods start on the anchor's weekday (weekly), day of
 * month (monthly), or day and month (yearly).
 */
export function billingPeriod(at: Date | number, anchor: Date | null, interval: BillingInterval = 'month'): BillingPeriod {
  const t = typeof at === 'number' ? at : at.getTime();
  if (interval === 'week') return weekContaining(t, anchor);
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
