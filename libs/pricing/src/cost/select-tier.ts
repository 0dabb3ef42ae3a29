import type { PriceTier } from './price-sheet';

/** The highest tier whose threshold the prompt size reaches (>=), or null for the base prices. */
export function selectTier(tiers: readonly PriceTier[], promptTokens: bigint): PriceTier | null {
  let chosen: PriceTier | null = null;
  for (const tier of tiers) {
    if (promptTokens >= tier.minPromptTokens && (chosen === null || tier.minPromptTokens > chosen.minPromptTokens)) {
      chosen = tier;
    }
  }
  return chosen;
}
