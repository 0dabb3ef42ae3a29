import { parseDecimal, writtenDecimalPlaces } from './parse-decimal';

describe('parseDecimal', () => {
  it.each(['0', '12.34', '-0.5', '007', '0.000000000000000000000000000001'])('accepts %s', (s) => {
    expect(parseDecimal(s)?.eq(s)).toBe(true);
  });

  it.each([1.5, 12, '1e5', '', ' 1', '1.', '.5', '+1', 'NaN', 'Infinity', '1,5', null, undefined, {}])('rejects %p', (value) => {
    expect(parseDecimal(value)).toBeNull();
  });

  it('counts decimal places as written', () => {
    expect(writtenDecimalPlaces('1.50')).toBe(2);
    expect(writtenDecimalPlaces('15')).toBe(0);
  });
});
