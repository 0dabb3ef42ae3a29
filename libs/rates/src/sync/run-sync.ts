import type { RateCard } from '../rate-card';
import { MalformedSourceError, SourceFetchError, type ParsedSource } from '../source-errors';
import { diffCards, type CardDiff } from './diff';
import { DEFAULT_SYNC_POLICY, syncVerdict, type SyncPolicy, type SyncVerdict } from './verdict';

export type SyncResult =
  | { readonly outcome: 'failed'; readonly error: string }
  | (SyncVerdict & { readonly diff: CardDiff; readonly cards: RateCard[]; readonly skipped: ParsedSource['skipped'] });

/**
 * Fetch and parse one source, compare with its last good cards and decide. A failed or malformed fetch
 * (HTTP error, timeout, bad JSON, no models) is `failed` and changes nothing: the last good cards stay.
 * The caller persists an `applied` result (new versions for added/changed, tombstones for removed) and keeps
 * a `held` one for an admin's approval.
 */
export async function runSourceSync(
  fetchCards: () => Promise<ParsedSource>,
  lastGood: readonly RateCard[],
  policy: SyncPolicy = DEFAULT_SYNC_POLICY,
): Promise<SyncResult> {
  let parsed: ParsedSource;
  try {
    parsed = await fetchCards();
  } catch (error) {
    if (error instanceof SourceFetchError || error instanceof MalformedSourceError) return { outcome: 'failed', error: error.message };
    throw error;
  }
  if (parsed.cards.length === 0) return { outcome: 'failed', error: 'the source listed no priced models' };
  const diff = diffCards(lastGood, parsed.cards);
  return { ...syncVerdict(diff, lastGood.length, policy), diff, cards: parsed.cards, skipped: parsed.skipped };
}
