import { currencyExponent, isCurrency } from './currency';

describe('currencies', () => {
  it('knows minor-unit exponents', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('refuses unknown or non-canonical codes', () => {
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
    expect(() => currencyExponent('XYZ')).toThrow('unknown currency "XYZ"');
  });
});
