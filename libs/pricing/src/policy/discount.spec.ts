import { Decimal } from '@tollgate/money';
import { applyDiscount } from './discount';

const d = (s: string) => new Decimal(s);

describe('applyDiscount', () => {
  it('takes the discount off the rated amount, exactly', () => {
    expect(applyDiscount(d('123.456789'), d('0.10')).toFixed()).toBe('111.1111101');
    expect(applyDiscount(d('5'), d('0')).toFixed()).toBe('5');
    expect(applyDiscount(d('5'), d('1')).toFixed()).toBe('0');
  });

  it('refuses a discount outside 0..1', () => {
    expect(() => applyDiscount(d('5'), d('1.1'))).toThrow(RangeError);
    expect(() => applyDiscount(d('5'), d('-0.1'))).toThrow(RangeError);
  });
});
