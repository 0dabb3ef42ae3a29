import fc from 'fast-check';
import { emptyUsage, USAGE_DIMENSIONS, type Usage } from '../dimensions';
import { exact } from './exact';
import type { PriceSheet, Prices } from './price-sheet';
import { providerCost } from './provider-cost';
import { providerCostTotal } from './provider-cost-total';

const prices = (record: Record<string, string>): Prices =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, exact(v)])) as Prices;

// Shapes of real cards (OpenRouter fixture): tiers, fallbacks, repeating-decimal prices, count prices, integers.
const SHEETS: PriceSheet[] = [
  {
    prices: prices({
      input_tokens: '0.000003',
      output_tokens: '0.000015',
      web_searches: '0.01',
      cache_read_tokens: '0.0000003',
      cache_write_tokens: '0.00000375',
      cache_write_1h_tokens: '0.000006',
    }),
    tiers: [{ minPromptTokens: 200000n, prices: prices({ input_tokens: '0.000006', output_tokens: '0.0000225' }) }],
  },
  {
    prices: prices({
      input_tokens: '0.0000003',
      output_tokens: '0.0000025',
      images: '0.0000003',
      audio_input_tokens: '0.000001',
      cache_write_tokens: '0.00000008333333333333334',
    }),
    tiers: [
      { minPromptTokens: 32000n, prices: prices({ input_tokens: '0.0000001' }) },
      { minPromptTokens: 256000n, prices: prices({ input_tokens: '0.0000002', reasoning_tokens: '0.00001' }) },
    ],
  },
  { prices: prices({ input_tokens: '2', output_tokens: '3', requests: '1' }), tiers: [] },
  { prices: prices({ input_tokens: '0', output_tokens: '0.5' }), tiers: [] },
  { prices: prices({ input_tokens: '0.000001' }), tiers: [] }, // no output price: incomplete when there is output
];

const usage = fc
  .array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 400_000n }), fc.bigInt({ min: 0n, max: 10n ** 12n })), {
    minLength: USAGE_DIMENSIONS.length,
    maxLength: USAGE_DIMENSIONS.length,
  })
  .map((counts) => {
    const u: Usage = emptyUsage();
    USAGE_DIMENSIONS.forEach((d, i) => (u[d] = counts[i]));
    return u;
  });

function outcome(f: () => { toFixed(): string }): string {
  try {
    return f().toFixed();
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('providerCostTotal', () => {
  it('is exactly providerCost().total, errors included, for any usage on any sheet', () => {
    fc.assert(
      fc.property(usage, fc.integer({ min: 0, max: SHEETS.length - 1 }), (u, s) => {
        const sheet = SHEETS[s];
        expect(outcome(() => providerCostTotal(u, sheet))).toBe(outcome(() => providerCost(u, sheet).total));
      }),
      { numRuns: 5000 },
    );
  });

  it('prices a request at its tier', () => {
    const u = { ...emptyUsage(), input_tokens: 250_000n, output_tokens: 1000n };
    expect(providerCostTotal(u, SHEETS[0]).toFixed()).toBe('1.5225');
    expect(providerCostTotal({ ...u, input_tokens: 1000n }, SHEETS[0]).toFixed()).toBe('0.018');
  });
});
