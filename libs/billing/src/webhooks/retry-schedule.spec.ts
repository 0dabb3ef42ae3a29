import { nextAttemptAt, retryDelayMs, RETRY_WINDOW_MS } from './retry-schedule';

const schedule = { baseMs: 30_000, maxDelayMs: 3_600_000, windowMs: RETRY_WINDOW_MS };

describe('retrying a failed delivery', () => {
  it('doubles the delay after each failure, jittered within its second half', () => {
    expect(retryDelayMs(1, schedule, 0)).toBe(15_000);
    expect(retryDelayMs(1, schedule, 0.999999)).toBe(30_000);
    expect(retryDelayMs(2, schedule, 0)).toBe(30_000);
    expect(retryDelayMs(3, schedule, 0.5)).toBe(90_000); // 120 s: 60 + 30
    for (let attempt = 1; attempt <= 7; attempt++) {
      const delay = retryDelayMs(attempt, schedule, Math.random());
      const full = 30_000 * 2 ** (attempt - 1);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });

  it('never waits more than the cap, however many attempts failed', () => {
    expect(retryDelayMs(8, schedule, 0.5)).toBe(2_700_000); // 3,840 s capped at 3,600: 1,800 + 900
    expect(retryDelayMs(40, schedule, 0.5)).toBe(2_700_000);
    expect(retryDelayMs(10_000, schedule, 0)).toBe(1_800_000);
  });

  it('gives up once the next attempt would come more than 24 hours after the delivery was created', () => {
    const created = new Date('2026-11-30T00:00:00Z');
    const failedAt = (h: number) => new Date(created.getTime() + h * 3_600_000);
    expect(nextAttemptAt(1, created, created, schedule, 0)).toEqual(new Date(created.getTime() + 15_000));
    expect(nextAttemptAt(20, failedAt(22), created, schedule, 0.5)).toEqual(failedAt(22.75));
    expect(nextAttemptAt(21, failedAt(23.5), created, schedule, 0.5)).toBeNull(); // 45 minutes: past the 24th hour
    expect(nextAttemptAt(21, failedAt(23.5), created, schedule, 0)).toEqual(failedAt(24)); // half an hour: just inside
  });

  it('tries about 30 times over 24 hours with the defaults, so a day-long outage is survived', () => {
    const created = new Date(0);
    let at = created;
    let attempts = 1;
    for (
      let next = nextAttemptAt(1, at, created, schedule, 0.5);
      next !== null;
      next = nextAttemptAt(attempts, at, created, schedule, 0.5)
    ) {
      at = next;
      attempts++;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
    expect(at.getTime()).toBeGreaterThan(RETRY_WINDOW_MS - 3_600_000);
  });
});
