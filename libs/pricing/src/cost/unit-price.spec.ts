import { exact } from './exact';
import { unitPrice } from './unit-price';

describe('unitPrice', () => {
  const base = { input_tokens: exact('0.000003'), output_tokens: exact('0.000015') };

  it('uses the dimension’s own price first', () => {
    expect(unitPrice({ ...base, cache_read_tokens: exact('0.0000003') }, 'cache_read_tokens')).toEqual({
      price: exact('0.0000003'),
      from: 'cache_read_tokens',
    });
  });

  it('follows docs/design.md’s fallback chains', () => {
    expect(unitPrice(base, 'cache_read_tokens').from).toBe('input_tokens');
    expect(unitPrice(base, 'audio_input_tokens').from).toBe('input_tokens');
    expect(unitPrice(base, 'reasoning_tokens').from).toBe('output_tokens');
    expect(unitPrice(base, 'audio_output_tokens').from).toBe('output_tokens');
    expect(unitPrice(base, 'cache_write_1h_tokens').from).toBe('input_tokens');
    expect(unitPrice({ ...base, cache_write_tokens: exact('0.00000375') }, 'cache_write_1h_tokens').from).toBe('cache_write_tokens');
  });

  it('gives no price for counts without one (they cost 0)', () => {
    expect(unitPrice(base, 'images')).toEqual({ price: null, from: null });
    expect(unitPrice(base, 'requests')).toEqual({ price: null, from: null });
  });
});
