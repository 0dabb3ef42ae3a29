import fc from 'fast-check';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { fromApiPrice, toApiPrice } from './per-million';

describe('API prices per million tokens', () => {
  it('shows per-token prices per million, exactly', () => {
    expect(toApiPrice('input_tokens', '0.0000025')).toBe('2.5');
    expect(toApiPrice('output_tokens', '0.0000000208333333333333')).toBe('0.0208333333333333');
    expect(toApiPrice('cache_read_tokens', '0')).toBe('0');
  });

  it('keeps counts per unit', () => {
    expect(toApiPrice('requests', '0.005')).toBe('0.005');
    expect(fromApiPrice('web_searches', '0.01')).toBe('0.01');
    expect(fromApiPrice('images', '1')).toBe('1');
  });

  it('stores what it takes per token, exactly', () => {
    expect(fromApiPrice('input_tokens', '3')).toBe('0.000003');
    expect(fromApiPrice('output_tokens', '0.0208333333333333')).toBe('0.0000000208333333333333');
  });

  it('round-trips any decimal both ways', () => {
    const decimal = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 30 })).map(([digits, scale]) => {
      const text = digits.toString().padStart(scale + 1, '0');
      return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
    });
    fc.assert(
      fc.property(fc.constantFrom(...USAGE_DIMENSIONS), decimal, (dimension, price) => {
        const normal = toApiPrice('requests', price);
        expect(toApiPrice(dimension, fromApiPrice(dimension, price))).toBe(normal);
        expect(fromApiPrice(dimension, toApiPrice(dimension, price))).toBe(normal);
      }),
    );
  });
});
