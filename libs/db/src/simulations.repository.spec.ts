import { pgTimestampMs } from './simulations.repository';

describe('pgTimestampMs', () => {
  it('reads timestamptz text as Postgres writes it, in any session time zone', () => {
    expect(pgTimestampMs('2026-11-10 00:00:00+00')).toBe(Date.parse('2026-11-10T00:00:00Z'));
    expect(pgTimestampMs('2026-11-10 01:30:00.123+01')).toBe(Date.parse('2026-11-10T00:30:00.123Z'));
    expect(pgTimestampMs('2026-11-10 05:15:00+05:30')).toBe(Date.parse('2026-11-09T23:45:00Z'));
    expect(() => pgTimestampMs('yesterday')).toThrow();
  });
});
