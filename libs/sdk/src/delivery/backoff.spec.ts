import { backoffDelay, parseRetryAfter, retryDelay } from './backoff';

const opts = { baseMs: 100, maxMs: 5_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt and picks uniformly below it', () => {
    expect(backoffDelay(0, opts, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(30, opts, () => 0.999)).toBe(4_995);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter(' 0.5 ')).toBe(500);
  });

  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it("prefers the server's Retry-After, capped", () => {
    expect(retryDelay(0, 1_500, opts, () => 0)).toBe(1_500);
    expect(retryDelay(0, 60_000, opts, () => 0)).toBe(5_000);
    expect(retryDelay(2, undefined, opts, () => 0.5)).toBe(200);
  });
});
