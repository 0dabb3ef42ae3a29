import { exact } from './exact';
import { selectTier } from './select-tier';

const tier = (min: bigint) => ({ minPromptTokens: min, prices: { input_tokens: exact(1) } });

describe('selectTier', () => {
  it('returns null below every threshold and for no tiers', () => {
    expect(selectTier([tier(100n)], 99n)).toBeNull();
    expect(selectTier([], 1_000_000n)).toBeNull();
  });

  it('returns the highest threshold reached, inclusive', () => {
    const tiers = [tier(300n), tier(100n), tier(200n)];
    expect(selectTier(tiers, 100n)?.minPromptTokens).toBe(100n);
    expect(selectTier(tiers, 299n)?.minPromptTokens).toBe(200n);
    expect(selectTier(tiers, 300n)?.minPromptTokens).toBe(300n);
  });
});
