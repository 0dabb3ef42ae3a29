import { Decimal } from '@tollgate/money';
import { roundLine } from './round-line';

describe('roundLine', () => {
  it('rounds half away from zero to the minor unit of the currency', () => {
    expect(roundLine(new Decimal('2.675'), 'USD').toFixed()).toBe('2.68');
    expect(roundLine(new Decimal('-2.675'), 'USD').toFixed()).toBe('-2.68');
    expect(roundLine(new Decimal('2.665'), 'USD').toFixed()).toBe('2.67');
    expect(roundLine(new Decimal('2.5'), 'JPY').toFixed()).toBe('3');
  });
});
