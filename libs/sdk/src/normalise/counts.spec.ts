import { compact, count, decimalString, minus } from './counts';

describe('count', () => {
  it('keeps non-negative integers and zeroes the rest', () => {
    expect(count(12)).toBe(12);
    expect(count(null)).toBe(0);
    expect(count(undefined)).toBe(0);
    expect(count(-3)).toBe(0);
    expect(count('7')).toBe(0);
  });
});

describe('minus', () => {
  it('subtracts included parts and never goes below zero', () => {
    expect(minus(100, 30, 20)).toBe(50);
    expect(minus(10, 30)).toBe(0);
  });
});

describe('compact', () => {
  it('drops zero dimensions', () => {
    expect(compact({ input_tokens: 5, output_tokens: 0 } as never)).toEqual({ input_tokens: 5 });
  });
});

describe('decimalString', () => {
  it('spells out the digits the provider sent, without exponent notation', () => {
    expect(decimalString(0.95)).toBe('0.95');
    expect(decimalString(0.000123)).toBe('0.000123');
    expect(decimalString(1.2e-7)).toBe('0.00000012');
    expect(decimalString(5e-7)).toBe('0.0000005');
    expect(decimalString(1e21)).toBe('1000000000000000000000');
    expect(decimalString(1.5e21)).toBe('1500000000000000000000');
    expect(decimalString(0)).toBe('0');
  });

  it('refuses what is not a cost', () => {
    expect(decimalString(-1)).toBeUndefined();
    expect(decimalString(Number.NaN)).toBeUndefined();
  });
});
