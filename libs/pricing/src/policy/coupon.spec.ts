import { Decimal } from '@tollgate/money';
import { couponDeduction } from './coupon';

const d = (s: string) => new Decimal(s);

describe('couponDeduction', () => {
  it('deducts a fixed amount', () => {
    expect(couponDeduction({ id: 'c', kind: 'fixed', amount: d('25') }, d('100.00'), 'USD').toFixed(2)).toBe('25.00');
  });

  it('deducts a percentage of the sum so far, kept precise for the line to round', () => {
    expect(couponDeduction({ id: 'c', kind: 'percentage', percent: d('15') }, d('10.03'), 'USD').toFixed()).toBe('1.5045');
  });

  it('never takes the sum below zero', () => {
    expect(couponDeduction({ id: 'c', kind: 'fixed', amount: d('25') }, d('19.99'), 'USD').toFixed(2)).toBe('19.99');
    expect(couponDeduction({ id: 'c', kind: 'percentage', percent: d('100') }, d('19.99'), 'USD').toFixed(2)).toBe('19.99');
    expect(couponDeduction({ id: 'c', kind: 'fixed', amount: d('25') }, d('0'), 'USD').isZero()).toBe(true);
  });

  it('caps on the amount the line will show: 19.995 would round to 20.00 > 19.99', () => {
    expect(couponDeduction({ id: 'c', kind: 'fixed', amount: d('19.995') }, d('19.99'), 'USD').toFixed()).toBe('19.99');
  });

  it('refuses a negative coupon', () => {
    expect(() => couponDeduction({ id: 'c', kind: 'fixed', amount: d('-1') }, d('10'), 'USD')).toThrow(RangeError);
  });
});
