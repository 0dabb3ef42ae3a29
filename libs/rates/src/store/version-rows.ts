import { createHash } from 'node:crypto';
import { REMOVED_HASH, type RateCardRow, type RateVersionRow } from '@tollgate/db';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { RateCard, RateSource, RateVersion } from '../rate-card';
import { rateCardFromJson, rateCardToJson } from '../rate-card-json';

// Conversions between rate cards and rate_card_versions rows (prices as USD-per-token decimal strings).

function canonicalPrices(prices: Record<string, string>): [string, string][] {
  return USAGE_DIMENSIONS.filter((d) => prices[d] !== undefined).map((d) => [d, prices[d]!]);
}

/** Hash of prices and tiers only: a new version is written only when it changes. Decimal text is normalised first. */
export function contentHash(card: Pick<RateCard, 'prices' | 'tiers'>): string {
  const json = rateCardToJson({ provider: '', model: '', source: 'override', ...card });
  const canonical = [
    canonicalPrices(json.prices),
    [...json.tiers].sort((a, b) => a.min_prompt_tokens - b.min_prompt_tokens).map((t) => [t.min_prompt_tokens, canonicalPrices(t.prices)]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function cardToRow(card: RateCard): RateCardRow {
  const json = rateCardToJson(card);
  return { provider: card.provider, model: card.model, prices: json.prices, tiers: json.tiers, content_hash: contentHash(card) };
}

export function cardFromRow(row: RateCardRow, source: RateSource): RateCard {
  return rateCardFromJson({ provider: row.provider, model: row.model, source, prices: row.prices, tiers: row.tiers });
}

export function versionFromRow(row: RateVersionRow): RateVersion {
  const card = cardFromRow(row, row.source as RateSource);
  const version: RateVersion = { ...card, id: row.id, effectiveFrom: row.effective_from, fetchedAt: row.fetched_at };
  return row.content_hash === REMOVED_HASH ? { ...version, removed: true } : version;
}
