import { formatMoney } from './money';

describe('formatMoney', () => {
  it('groups thousands and pads to the currency places', () => {
    expect(formatMoney('1234.5', 'USD')).toBe('$1,234.50');
    expect(formatMoney('1234567', 'EUR')).toBe('€1,234,567.00');
    expect(formatMoney('1230', 'JPY')).toBe('¥1,230');
    expect(formatMoney('0.125', 'KWD')).toBe('KWD 0.125');
  });

  it('keeps the places of an unrounded amount, exactly (no float)', () => {
    expect(formatMoney('0.000123', 'USD')).toBe('$0.000123');
    expect(formatMoney('9007199254740993.01', 'USD')).toBe('$9,007,199,254,740,993.01');
  });

  it('signs negatives, never "-0"', () => {
    expect(formatMoney('-3', 'USD')).toBe('-$3.00');
    expect(formatMoney('-0.00', 'USD')).toBe('$0.00');
  });

  it('refuses what is not a decimal string', () => {
    expect(() => formatMoney('1e3', 'USD')).toThrow(/not a decimal/);
    expect(() => formatMoney('12', 'XXX')).toThrow(/unknown currency/);
  });
});
