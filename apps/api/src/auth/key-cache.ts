import type { KeyPrincipal } from '@tollgate/db';

/** A revoked or rotated-out key works at most this long on any api instance (docs/design.md, "API keys"). */
export const STALE_AFTER_MS = 1000;
/** Good keys only: a flood of unknown keys never enters, so it cannot push good ones out. */
export const MAX_CACHED_KEYS = 10_000;

export interface CachedKey {
  principal: KeyPrincipal;
  /** Epoch ms; Infinity until revoked. */
  validUntil: number;
  fetchedAt: number;
}

/**
 * The api's in-process cache of good keys: a hit costs no Postgres read and no HMAC. Kept true by a poll of
 * the keys' revision (GetApiKeyRevision), which moves whenever any key is revoked or rotated: a changed revision
 * drops every entry. An entry is only trusted while either it or the last poll that confirmed the revision is
 * younger than STALE_AFTER_MS, so a poll that fails (Postgres unreachable) makes keys be read again, never
 * trusted longer.
 */
export class KeyCache {
  private readonly entries = new Map<string, CachedKey>();
  private generation = 0;
  private revision: number | null = null;
  /** Start of the last poll that confirmed the revision. */
  private confirmedAt = -Infinity;

  get(key: string, now: number): CachedKey | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.validUntil || now - Math.max(entry.fetchedAt, this.confirmedAt) >= STALE_AFTER_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Taken before reading a key from Postgres; `set` ignores a read that a drop overtook. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, entry: CachedKey, ticket: number): void {
    if (ticket !== this.generation) return;
    if (this.entries.size >= MAX_CACHED_KEYS && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }

  /** A poll that started at `startedAt` read `revision` (polls never overlap). */
  confirm(revision: number, startedAt: number): void {
    if (this.revision !== null && revision !== this.revision) this.drop();
    this.revision = revision;
    this.confirmedAt = Math.max(this.confirmedAt, startedAt);
  }

  drop(): void {
    this.entries.clear();
    this.generation++;
  }

  get size(): number {
    return this.entries.size;
  }
}
