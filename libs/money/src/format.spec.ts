import { Decimal } from './decimal';
import { formatAmount, formatExact } from './format';

describe('formatting', () => {
  it('shows rounded amounts with the currency decimal places', () => {
    expect(formatAmount(new Decimal('12.3'), 'USD')).toBe('12.30');
    expect(formatAmount(new Decimal('-1230'), 'JPY')).toBe('-1230');
    expect(formatAmount(new Decimal('0'), 'KWD')).toBe('0.000');
  });

  it('shows unrounded amounts exactly', () => {
    expect(formatExact(new Decimal('0.0000012300'))).toBe('0.00000123');
    expect(formatExact(new Decimal('1e25'))).toBe('10000000000000000000000000');
  });
});
