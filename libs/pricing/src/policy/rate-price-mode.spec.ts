import { Decimal } from '@tollgate/money';
import { ratePriceMode } from './rate-price-mode';

describe('price mode', () => {
  it.each([
    ['0.0123', '0.30', '0.01599'],
    ['10', '-1', '0'],
    ['10', '-0.25', '7.5'],
    ['0.000000000000000000000000000001', '0.5', '0.0000000000000000000000000000015'],
  ])('cost %s with markup %s → %s', (cost, markup, rated) => {
    expect(ratePriceMode(new Decimal(cost), new Decimal(markup)).toFixed()).toBe(rated);
  });
});
