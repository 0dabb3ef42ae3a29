import { retryAfterMs } from './classify-error';

describe('retryAfterMs', () => {
  it('reads seconds, as Stripe sends them', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(' 0 ')).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2026-10-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Oct 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 30 Sep 2026 23:59:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
