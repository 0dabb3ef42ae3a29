import type { RateSyncRow } from '@tollgate/db';
import { isUsageDimension } from '@tollgate/pricing';
import { convertPrices, rateCardToJson, toApiPrice, type RateVersion, type SourceSummary } from '@tollgate/rates';

// What the API shows: prices in USD per million tokens (per unit for counts), RFC 3339 times.

export function toApiVersion(version: RateVersion) {
  const json = rateCardToJson(version);
  return {
    id: version.id,
    prices: convertPrices(json.prices, toApiPrice),
    tiers: json.tiers.map((t) => ({ min_prompt_tokens: t.min_prompt_tokens, prices: convertPrices(t.prices, toApiPrice) })),
    source: version.source,
    effective_from: version.effectiveFrom.toISOString(),
    fetched_at: version.fetchedAt.toISOString(),
    ...(version.removed ? { removed: true } : {}),
  };
}

function toApiSummary(summary: SourceSummary) {
  if (summary.price_moves === undefined) return summary;
  return {
    ...summary,
    // `input_tokens@200001` is the tier's price of that dimension.
    price_moves: summary.price_moves.map((m) => {
      const dimension = m.price.split('@')[0]!;
      if (!isUsageDimension(dimension)) return m;
      return { ...m, before: toApiPrice(dimension, m.before), after: toApiPrice(dimension, m.after) };
    }),
  };
}

export function toApiSync(sync: RateSyncRow) {
  return {
    id: sync.id,
    // What the sync found; `status` is where it stands now (a held sync becomes approved).
    outcome: sync.status === 'approved' ? 'held' : sync.status,
    status: sync.status,
    sources: Object.fromEntries(Object.entries(sync.summary).map(([source, s]) => [source, toApiSummary(s as SourceSummary)])),
    error: sync.error,
    started_at: sync.started_at.toISOString(),
    finished_at: sync.finished_at?.toISOString() ?? null,
    approved_at: sync.approved_at?.toISOString() ?? null,
  };
}
