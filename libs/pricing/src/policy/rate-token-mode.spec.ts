import { Decimal } from '@tollgate/money';
import { emptyUsage, type Usage } from '../dimensions';
import { rateTokenMode, tokenUnitPrices } from './rate-token-mode';

const usage = (parts: Partial<Usage>): Usage => ({ ...emptyUsage(), ...parts });
const d = (s: string) => new Decimal(s);

describe('token mode', () => {
  const prices = tokenUnitPrices({ input_tokens: d('3.00'), output_tokens: d('15'), cache_read_tokens: d('0.30'), requests: d('0.01') });

  it('prices per million tokens and per unit for counts', () => {
    const rated = rateTokenMode(usage({ input_tokens: 1_000_000n, output_tokens: 2n, cache_read_tokens: 10n, requests: 3n }), prices);
    // 3 + 2 × 0.000015 + 10 × 0.0000003 + 3 × 0.01
    expect(rated.toFixed()).toBe('3.030033');
  });

  it('falls back like the rate card: cache and audio input at input, reasoning and audio output at output, counts at 0', () => {
    const rated = rateTokenMode(
      usage({
        cache_write_tokens: 1_000_000n,
        cache_write_1h_tokens: 1_000_000n,
        audio_input_tokens: 1_000_000n,
        reasoning_tokens: 1_000_000n,
        audio_output_tokens: 1_000_000n,
        images: 5n,
        web_searches: 5n,
      }),
      prices,
    );
    expect(rated.toFixed()).toBe(String(3 + 3 + 3 + 15 + 15));
  });

  it('1h cache writes fall back to the 5-minute cache write price first', () => {
    const withWrite = tokenUnitPrices({ input_tokens: d('3'), output_tokens: d('15'), cache_write_tokens: d('3.75') });
    expect(rateTokenMode(usage({ cache_write_1h_tokens: 1_000_000n }), withWrite).toFixed()).toBe('3.75');
  });

  it('is exact for huge counts and tiny prices', () => {
    const tiny = tokenUnitPrices({ input_tokens: d('0.000000000001'), output_tokens: d('0') });
    expect(rateTokenMode(usage({ input_tokens: 999_999_999_999n }), tiny).toFixed()).toBe('0.000000999999999999');
  });
});
