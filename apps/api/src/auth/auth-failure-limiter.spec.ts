import { AuthFailureLimiter } from './auth-failure-limiter';

describe('AuthFailureLimiter', () => {
  it('lets an address fail perMinute times, then asks it to wait until one failure has refilled', () => {
    const limiter = new AuthFailureLimiter(6);
    for (let i = 0; i < 6; i++) {
      expect(limiter.retryAfter('a', 0)).toBe(0);
      limiter.failed('a', 0);
    }
    expect(limiter.retryAfter('a', 0)).toBe(10);
    expect(limiter.retryAfter('a', 5_000)).toBe(5);
    expect(limiter.retryAfter('a', 10_000)).toBe(0);
    expect(limiter.retryAfter('b', 0)).toBe(0);
  });

  it('refills to perMinute, never above', () => {
    const limiter = new AuthFailureLimiter(2);
    limiter.failed('a', 0);
    for (let i = 0; i < 2; i++) limiter.failed('a', 3_600_000);
    expect(limiter.retryAfter('a', 3_600_000)).toBeGreaterThan(0);
  });
});
