import { Decimal } from '@tollgate/money';
import { allowanceConsumed } from './allowance';

const line = (amount: string, allowanceEligible = true) => ({ amount: new Decimal(amount), allowanceEligible });

describe('allowanceConsumed', () => {
  it('covers eligible lines up to the included usage', () => {
    expect(allowanceConsumed([line('12.00'), line('5.00', false), line('10.00')], new Decimal('20')).toFixed(2)).toBe('20.00');
  });

  it('consumes no more than the eligible usage', () => {
    expect(allowanceConsumed([line('3.10'), line('50', false)], new Decimal('20')).toFixed(2)).toBe('3.10');
  });

  it('is zero without an allowance or without eligible lines', () => {
    expect(allowanceConsumed([line('3')], new Decimal('0')).isZero()).toBe(true);
    expect(allowanceConsumed([line('3', false)], new Decimal('20')).isZero()).toBe(true);
  });
});
