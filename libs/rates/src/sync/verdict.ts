import type { CardDiff } from './diff';
import { priceMovesBeyond, type PriceMove } from './price-moves';

export interface SyncPolicy {
  /** Hold when more than this share of the source's last good models would be removed (default 0.2). */
  readonly maxRemovedShare: number;
  /** Hold when any price would move by more than this factor up or down (default 10). */
  readonly maxPriceFactor: number;
}

export const DEFAULT_SYNC_POLICY: SyncPolicy = { maxRemovedShare: 0.2, maxPriceFactor: 10 };

export type SyncVerdict =
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'applied' }
  | { readonly outcome: 'held'; readonly reasons: string[]; readonly priceMoves: PriceMove[] };

/** Whether a diff may be applied without review (docs/design.md "Rate cards": big removals and 10× moves are held). */
export function syncVerdict(diff: CardDiff, lastGoodCount: number, policy: SyncPolicy = DEFAULT_SYNC_POLICY): SyncVerdict {
  if (diff.added.length === 0 && diff.changed.length === 0 && diff.removed.length === 0) return { outcome: 'unchanged' };
  const reasons: string[] = [];
  if (lastGoodCount > 0 && diff.removed.length / lastGoodCount > policy.maxRemovedShare) {
    reasons.push(`would remove ${diff.removed.length} of ${lastGoodCount} models (more than ${policy.maxRemovedShare * 100}%)`);
  }
  const priceMoves = diff.changed.flatMap(({ before, after }) => priceMovesBeyond(before, after, policy.maxPriceFactor));
  if (priceMoves.length > 0) {
    reasons.push(
      `${priceMoves.length} price(s) would move by more than ${policy.maxPriceFactor}x, e.g. ${priceMoves[0]!.provider}/${priceMoves[0]!.model} ${priceMoves[0]!.price} ${priceMoves[0]!.before} -> ${priceMoves[0]!.after}`,
    );
  }
  return reasons.length > 0 ? { outcome: 'held', reasons, priceMoves } : { outcome: 'applied' };
}
