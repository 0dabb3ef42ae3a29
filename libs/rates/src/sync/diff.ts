import { samePrices } from '../prices-equal';
import { cardKey, type RateCard } from '../rate-card';

export interface CardDiff {
  readonly added: RateCard[];
  readonly changed: { before: RateCard; after: RateCard }[];
  readonly removed: RateCard[];
  readonly unchanged: number;
}

/** What a fresh fetch of one source changes against its last good cards, by (provider, model). */
export function diffCards(lastGood: readonly RateCard[], fresh: readonly RateCard[]): CardDiff {
  const before = new Map(lastGood.map((c) => [cardKey(c), c]));
  const diff = { added: [] as RateCard[], changed: [] as CardDiff['changed'], removed: [] as RateCard[], unchanged: 0 };
  const seen = new Set<string>();
  for (const card of fresh) {
    const key = cardKey(card);
    seen.add(key);
    const previous = before.get(key);
    if (previous === undefined) diff.added.push(card);
    else if (samePrices(previous, card)) diff.unchanged += 1;
    else diff.changed.push({ before: previous, after: card });
  }
  for (const [key, card] of before) if (!seen.has(key)) diff.removed.push(card);
  return diff;
}
