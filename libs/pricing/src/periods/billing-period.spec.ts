import fc from 'fast-check';
import { billingPeriod } from './billing-period';

const utc = (s: string) => new Date(s + 'T00:00:00.000Z');

describe('billingPeriod', () => {
  it('gives calendar months by default', () => {
    expect(billingPeriod(new Date('2026-03-15T10:00:00Z'), null)).toEqual({ start: utc('2026-03-01'), end: utc('2026-04-01') });
    expect(billingPeriod(utc('2026-03-01'), null)).toEqual({ start: utc('2026-03-01'), end: utc('2026-04-01') });
    expect(billingPeriod(new Date('2026-12-31T23:59:59.999Z'), null)).toEqual({ start: utc('2026-12-01'), end: utc('2027-01-01') });
  });

  it('starts anniversary periods on the anchor day, clamped to short months', () => {
    const anchor = utc('2026-01-31');
    expect(billingPeriod(utc('2026-02-10'), anchor)).toEqual({ start: utc('2026-01-31'), end: utc('2026-02-28') });
    expect(billingPeriod(utc('2026-02-28'), anchor)).toEqual({ start: utc('2026-02-28'), end: utc('2026-03-31') });
    expect(billingPeriod(utc('2028-02-29'), anchor)).toEqual({ start: utc('2028-02-29'), end: utc('2028-03-31') });
    expect(billingPeriod(utc('2026-01-15'), utc('2025-06-20'))).toEqual({ start: utc('2025-12-20'), end: utc('2026-01-20') });
  });

  it('gives yearly periods from January or from the anchor', () => {
    expect(billingPeriod(utc('2026-07-01'), null, 'year')).toEqual({ start: utc('2026-01-01'), end: utc('2027-01-01') });
    expect(billingPeriod(utc('2026-02-01'), utc('2024-03-10'), 'year')).toEqual({ start: utc('2025-03-10'), end: utc('2026-03-10') });
  });

  it("gives calendar weeks from Monday, or weeks from the anchor's weekday", () => {
    // 2026-11-30 is a Monday.
    expect(billingPeriod(new Date('2026-12-02T12:00:00Z'), null, 'week')).toEqual({ start: utc('2026-11-30'), end: utc('2026-12-07') });
    expect(billingPeriod(utc('2026-11-30'), null, 'week')).toEqual({ start: utc('2026-11-30'), end: utc('2026-12-07') });
    expect(billingPeriod(new Date('2026-11-29T23:59:59.999Z'), null, 'week')).toEqual({ start: utc('2026-11-23'), end: utc('2026-11-30') });
    // An anchor on a Thursday: weeks run Thursday to Thursday, before and after the anchor.
    expect(billingPeriod(utc('2026-12-01'), utc('2026-10-01'), 'week')).toEqual({ start: utc('2026-11-26'), end: utc('2026-12-03') });
    expect(billingPeriod(utc('2026-09-01'), utc('2026-10-01'), 'week')).toEqual({ start: utc('2026-08-27'), end: utc('2026-09-03') });
  });

  it('always contains the instant, and periods tile time without gaps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.option(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), { nil: null }),
        fc.constantFrom<'week' | 'month' | 'year'>('week', 'month', 'year'),
        (t, a, interval) => {
          const anchor = a === null ? null : new Date(Math.floor(a / 86_400_000) * 86_400_000);
          const p = billingPeriod(t, anchor, interval);
          expect(p.start.getTime()).toBeLessThanOrEqual(t);
          expect(p.end.getTime()).toBeGreaterThan(t);
          expect(billingPeriod(p.end, anchor, interval).start).toEqual(p.end);
          expect(billingPeriod(p.start.getTime() - 1, anchor, interval).end).toEqual(p.start);
        },
      ),
    );
  });
});
