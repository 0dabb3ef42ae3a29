import { Decimal as GlobalDecimal } from 'decimal.js';
import { Decimal, divideRoundingUp } from './decimal';

describe('money Decimal', () => {
  it('keeps full precision where the library default (20 digits) would round', () => {
    const cost = new Decimal('123456789012.123456789012345678901234567890');
    // 123456789012.123456789012345678901234567890 × 1.3, done in integers: 31 decimal places.
    const exact = (123456789012123456789012345678901234567890n * 13n).toString();
    const expected = `${exact.slice(0, -31)}.${exact.slice(-31)}`.replace(/0+$/, '');
    expect(cost.times('1.3').toFixed()).toBe(expected);
    expect(new GlobalDecimal(cost.toFixed()).times('1.3').toFixed()).not.toBe(expected);
  });

  it('prints plain decimals, never exponent notation', () => {
    expect(new Decimal('0.000000000000000000000000000001').toString()).toBe('0.000000000000000000000000000001');
    expect(new Decimal(10n ** 30n).toString()).toBe('1000000000000000000000000000000');
  });

  it('is not affected by a global Decimal.set', () => {
    const before = GlobalDecimal.precision;
    GlobalDecimal.set({ precision: 5 });
    try {
      expect(new Decimal('1.23456789').plus('1').toFixed()).toBe('2.23456789');
    } finally {
      GlobalDecimal.set({ precision: before });
    }
  });

  it('divides rounding up only when the quotient does not terminate', () => {
    expect(divideRoundingUp(new Decimal('1'), new Decimal('0.8')).toFixed()).toBe('1.25');
    const third = divideRoundingUp(new Decimal('1'), new Decimal('3'));
    expect(third.times(3).gte(1)).toBe(true);
    expect(third.toFixed()).toBe('0.' + '3'.repeat(99) + '4');
  });
});
