import { allocate, scaledWeight } from './allocate';

describe('allocate', () => {
  it('splits pro rata in whole units, the remainder by largest remainder', () => {
    // 200 over 420 / 275 / 500: 70.29, 46.03, 83.68 -> 70, 46, 84.
    expect(allocate(200n, [420n, 275n, 500n])).toEqual([70n, 46n, 84n]);
  });

  it('keeps the sign, adds up exactly, and splits equally over zero weights', () => {
    expect(allocate(-100n, [1n, 1n, 1n])).toEqual([-34n, -33n, -33n]);
    expect(allocate(7n, [0n, 0n])).toEqual([4n, 3n]);
    for (const amount of [1n, 99n, 12345n]) expect(allocate(amount, [3n, 5n, 7n, 11n]).reduce((a, b) => a + b)).toBe(amount);
  });

  it('refuses an empty list', () => {
    expect(() => allocate(1n, [])).toThrow(/nothing to allocate to/);
  });
});

describe('scaledWeight', () => {
  it('reads a decimal string at 30 places', () => {
    expect(scaledWeight('3.125')).toBe(3125n * 10n ** 27n);
    expect(scaledWeight('0.000000000000000000000000000001')).toBe(1n);
    expect(scaledWeight('-2')).toBe(-2n * 10n ** 30n);
    expect(scaledWeight('-0.5')).toBe(-5n * 10n ** 29n);
    expect(scaledWeight('-12.75')).toBe(-1275n * 10n ** 28n);
    expect(scaledWeight('0')).toBe(0n);
    // Places past the 30th are cut, not rounded.
    expect(scaledWeight('0.0000000000000000000000000000019')).toBe(1n);
  });
});
