import { rateCardFromJson, type RateCardJson } from '../rate-card-json';
import type { RateCard, RateVersion } from '../rate-card';
import type { ListSource } from '../sources/registry';

/** libs/rates/snapshot/<source>.json: one source's parsed cards and where they came from. */
export interface SnapshotFile {
  source: ListSource;
  /** Date the source data was taken (YYYY-MM-DD). */
  taken_on: string;
  provenance: string;
  cards: RateCardJson[];
  skipped: number;
}

export function snapshotCards(file: SnapshotFile): RateCard[] {
  return file.cards.map(rateCardFromJson);
}

/**
 * The snapshot's cards as each source's first versions. They are in force from `effectiveFrom` (default the
 * Unix epoch: the snapshot is the earliest list price known, so older events are priced rather than left
 * unpriced); the first live sync then adds a version only where a price differs.
 */
export function snapshotVersions(
  file: SnapshotFile,
  options: { effectiveFrom?: Date; id?: (card: RateCard) => string } = {},
): RateVersion[] {
  const effectiveFrom = options.effectiveFrom ?? new Date(0);
  const fetchedAt = new Date(`${file.taken_on}T00:00:00Z`);
  const id = options.id ?? ((card: RateCard) => `snapshot:${file.taken_on}:${card.source}:${card.provider}:${card.model}`);
  return snapshotCards(file).map((card) => ({ ...card, id: id(card), effectiveFrom, fetchedAt }));
}
