import fc from 'fast-check';
import { Decimal } from './decimal';
import { down, halfAwayFromZero, halfEven, roundToMinorUnit } from './rounding';

const d = (s: string) => new Decimal(s);

describe('rounding strategies', () => {
  it.each([
    ['0.125', '0.13', '0.12', '0.12'],
    ['0.135', '0.14', '0.14', '0.13'],
    ['-0.125', '-0.13', '-0.12', '-0.12'],
    ['2.345000000000000000000000000001', '2.35', '2.35', '2.34'],
    ['0.004999999999999999999999999999', '0', '0', '0'],
    ['-0.129', '-0.13', '-0.13', '-0.12'],
  ])('%s → halfAwayFromZero %s, halfEven %s, down %s', (amount, away, even, toward) => {
    expect(halfAwayFromZero(d(amount), 2).toFixed(2)).toBe(d(away).toFixed(2));
    expect(halfEven(d(amount), 2).toFixed(2)).toBe(d(even).toFixed(2));
    expect(down(d(amount), 2).toFixed(2)).toBe(d(toward).toFixed(2));
  });

  it('rounds to the currency minor unit', () => {
    expect(roundToMinorUnit(d('1234.5'), 'JPY', halfAwayFromZero).toFixed()).toBe('1235');
    expect(roundToMinorUnit(d('1.0005'), 'KWD', halfAwayFromZero).toFixed()).toBe('1.001');
    expect(roundToMinorUnit(d('1.005'), 'USD', halfAwayFromZero).toFixed()).toBe('1.01');
    expect(() => roundToMinorUnit(d('1'), 'XXX', halfAwayFromZero)).toThrow('unknown currency');
  });

  it('halfAwayFromZero is odd-symmetric and within half a minor unit', () => {
    const amounts = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => new Decimal(n.toString()).div(1e6));
    fc.assert(
      fc.property(amounts, (x) => {
        const r = halfAwayFromZero(x, 2);
        expect(r.decimalPlaces()).toBeLessThanOrEqual(2);
        expect(r.minus(x).abs().lte('0.005')).toBe(true);
        expect(halfAwayFromZero(x.neg(), 2).eq(r.neg())).toBe(true);
      }),
    );
  });
});
