import { Decimal, halfAwayFromZero, roundToMinorUnit } from '@tollgate/money';
import { fromMinorUnits, NotMinorUnitsError, toMinorUnits } from './minor-units';

describe('minor units', () => {
  it('converts rounded line amounts exactly, in each currency exponent', () => {
    expect(toMinorUnits(new Decimal('12.30'), 'USD')).toBe(1230);
    expect(toMinorUnits(new Decimal('-0.01'), 'USD')).toBe(-1);
    expect(toMinorUnits(new Decimal('1230'), 'JPY')).toBe(1230);
    expect(toMinorUnits(new Decimal('1.234'), 'KWD')).toBe(1234);
    expect(toMinorUnits(new Decimal('0'), 'EUR')).toBe(0);
  });

  it('keeps amounts that binary floating point would not: 0.1 + 0.2 of a dollar is 30 cents', () => {
    expect(toMinorUnits(new Decimal('0.1').plus('0.2'), 'USD')).toBe(30);
    expect(toMinorUnits(new Decimal('90071992547409.91'), 'USD')).toBe(9007199254740991);
  });

  it('refuses an amount that is not whole minor units instead of rounding it', () => {
    expect(() => toMinorUnits(new Decimal('12.305'), 'USD')).toThrow(NotMinorUnitsError);
    expect(() => toMinorUnits(new Decimal('0.5'), 'JPY')).toThrow(NotMinorUnitsError);
  });

  it('takes a line once it is rounded with the invoice rule (half away from zero)', () => {
    const unrounded = new Decimal('-12.305');
    expect(toMinorUnits(roundToMinorUnit(unrounded, 'USD', halfAwayFromZero), 'USD')).toBe(-1231);
  });

  it('refuses amounts beyond exact JavaScript integers', () => {
    expect(() => toMinorUnits(new Decimal('90071992547409.92'), 'USD')).toThrow(/beyond/);
  });

  it('reads Stripe amounts back as exact Decimals', () => {
    expect(fromMinorUnits(1230, 'USD').toFixed(2)).toBe('12.30');
    expect(fromMinorUnits(-1, 'USD').eq('-0.01')).toBe(true);
    expect(fromMinorUnits(1234, 'KWD').eq('1.234')).toBe(true);
    expect(fromMinorUnits(500, 'JPY').eq('500')).toBe(true);
    expect(() => fromMinorUnits(1.5, 'USD')).toThrow(NotMinorUnitsError);
  });

  it('knows only the currencies Tollgate accepts', () => {
    expect(() => toMinorUnits(new Decimal(1), 'XYZ')).toThrow(/unknown currency/);
  });
});
