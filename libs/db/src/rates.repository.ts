import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DB_POOL } from './tokens';

// Rate card versions, aliases and syncs. Raw SQL, not Prisma: a sync writes a source's whole listing (thousands
// of cards) as one set-based statement under an advisory lock, and every process reloads all versions at once.

/** rate_card_versions.scope of provider list prices; an override's scope is its organisation id. */
export const LIST_SCOPE = 'list';
/**
 * content_hash of a removal marker: the source stopped listing the model. Its prices are `{}` (no dimension),
 * so it can never be mistaken for a card; from its effective_from that source has no card for the model.
 */
export const REMOVED_HASH = 'removed';
// One key for every write to rate_card_versions and rate_syncs: syncs, approvals and seeding never interleave.
const RATES_LOCK = 7316003;

export interface RateVersionRow {
  id: string;
  scope: string;
  provider: string;
  model: string;
  /** dimension -> USD per token (per unit for counts), exact decimal strings; `{}` for a removal marker. */
  prices: Record<string, string>;
  tiers: { min_prompt_tokens: number; prices: Record<string, string> }[];
  source: string;
  effective_from: Date;
  fetched_at: Date;
  sync_id: string | null;
  content_hash: string;
}

/** A card as written: its JSON and the hash of its prices and tiers. */
export interface RateCardRow {
  provider: string;
  model: string;
  prices: Record<string, string>;
  tiers: RateVersionRow['tiers'];
  content_hash: string;
}

export interface RateAliasRow {
  organization_id: string;
  alias: string;
  provider: string;
  model: string;
}

export type RateSyncStatus = 'applied' | 'unchanged' | 'held' | 'failed' | 'approved';

export interface RateSyncRow {
  id: string;
  source: string;
  status: RateSyncStatus;
  summary: Record<string, unknown>;
  held_cards: Record<string, RateCardRow[]> | null;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  approved_at: Date | null;
}

const VERSION_COLUMNS = 'id, scope, provider, model, prices, tiers, source, effective_from, fetched_at, sync_id, content_hash';

/**
 * Writes a source's full listing as list versions: a version for each card whose hash differs from the
 * latest version of its (provider, model, source), a removal marker for each live card the listing lacks.
 */
const APPLY_LISTING = `
WITH latest AS (
  SELECT DISTINCT ON (provider, model) provider, model, content_hash
  FROM rate_card_versions WHERE scope = 'list' AND source = $1
  ORDER BY provider, model, effective_from DESC
), fresh AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[]) AS f(provider, model, prices, tiers, content_hash)
), ins AS (
  INSERT INTO rate_card_versions (${VERSION_COLUMNS})
  SELECT gen_random_uuid(), 'list', f.provider, f.model, f.prices, f.tiers, $1, $7::timestamptz, $8::timestamptz, $9::uuid, f.content_hash
  FROM fresh f LEFT JOIN latest l ON l.provider = f.provider AND l.model = f.model
  WHERE l.content_hash IS DISTINCT FROM f.content_hash
  UNION ALL
  SELECT gen_random_uuid(), 'list', l.provider, l.model, '{}'::jsonb, '[]'::jsonb, $1, $7::timestamptz, $8::timestamptz, $9::uuid, '${REMOVED_HASH}'
  FROM latest l
  WHERE l.content_hash <> '${REMOVED_HASH}' AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.provider = l.provider AND f.model = l.model)
  ON CONFLICT (scope, provider, model, source, effective_from) DO NOTHING
  RETURNING content_hash
)
SELECT count(*) FILTER (WHERE content_hash <> '${REMOVED_HASH}')::int AS written,
       count(*) FILTER (WHERE content_hash = '${REMOVED_HASH}')::int AS removed
FROM ins`;

async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [RATES_LOCK]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Rate card versions (list and overrides), aliases and syncs: every query on them. */
@Injectable()
export class RatesRepository {
  constructor(@Inject(DB_POOL) private readonly pool: Pool) {}

  /** Changes whenever a version or an alias is written: processes poll it to learn of new rates. */
  async signature(): Promise<string> {
    const res = await this.pool.query<{ signature: string }>(
      `SELECT (SELECT count(*) || '/' || coalesce(max(created_at)::text, '') FROM rate_card_versions) || '|' ||
              (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM rate_aliases) AS signature`,
    );
    return res.rows[0].signature;
  }

  /** Every version, list and overrides, oldest first. */
  async allVersions(): Promise<RateVersionRow[]> {
    const res = await this.pool.query<RateVersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM rate_card_versions ORDER BY effective_from, created_at`,
    );
    return res.rows;
  }

  /** Versions by id (events record the version that priced them). */
  async versionsByIds(ids: readonly string[]): Promise<RateVersionRow[]> {
    if (ids.length === 0) return [];
    const res = await this.pool.query<RateVersionRow>(`SELECT ${VERSION_COLUMNS} FROM rate_card_versions WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
    return res.rows;
  }

  async allAliases(): Promise<RateAliasRow[]> {
    const res = await this.pool.query<RateAliasRow>('SELECT organization_id, alias, provider, model FROM rate_aliases');
    return res.rows;
  }

  /** List sources that have at least one version (the bundled snapshot seeds the others). */
  async listSources(): Promise<string[]> {
    const res = await this.pool.query<{ source: string }>(`SELECT DISTINCT source FROM rate_card_versions WHERE scope = '${LIST_SCOPE}'`);
    return res.rows.map((r) => r.source);
  }

  /**
   * Seeds a source's first list versions only if the source has none yet; idempotent (two processes starting
   * at once seed once). Returns the number of versions written.
   */
  async seedListVersions(source: string, cards: RateCardRow[], effectiveFrom: Date, fetchedAt: Date): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const res = await client.query(
        `INSERT INTO rate_card_versions (${VERSION_COLUMNS})
         SELECT gen_random_uuid(), '${LIST_SCOPE}', f.provider, f.model, f.prices, f.tiers, $1, $7::timestamptz, $8::timestamptz, NULL, f.content_hash
         FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[]) AS f(provider, model, prices, tiers, content_hash)
         WHERE NOT EXISTS (SELECT 1 FROM rate_card_versions WHERE scope = '${LIST_SCOPE}' AND source = $1)
         ON CONFLICT (scope, provider, model, source, effective_from) DO NOTHING`,
        [source, ...columns(cards), effectiveFrom, fetchedAt],
      );
      return res.rowCount ?? 0;
    });
  }

  /** The latest live list card of each (provider, model) of a source: a sync's last good cards. */
  async latestListCards(source: string, db: Pool | PoolClient = this.pool): Promise<RateCardRow[]> {
    const res = await db.query<RateCardRow>(
      `SELECT provider, model, prices, tiers, content_hash FROM (
         SELECT DISTINCT ON (provider, model) provider, model, prices, tiers, content_hash
         FROM rate_card_versions WHERE scope = '${LIST_SCOPE}' AND source = $1
         ORDER BY provider, model, effective_from DESC) latest
       WHERE content_hash <> '${REMOVED_HASH}'`,
      [source],
    );
    return res.rows;
  }

  /**
   * Runs `fn` in one transaction holding the rates lock: a sync decides against the last good cards read
   * inside it and writes its versions and its rate_syncs row atomically.
   */
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  /** See APPLY_LISTING. Versions are in force from `effectiveFrom`. */
  async applyListing(
    client: PoolClient,
    source: string,
    cards: RateCardRow[],
    syncId: string,
    effectiveFrom: Date,
    fetchedAt: Date,
  ): Promise<{ written: number; removed: number }> {
    const res = await client.query<{ written: number; removed: number }>(APPLY_LISTING, [
      source,
      ...columns(cards),
      effectiveFrom,
      fetchedAt,
      syncId,
    ]);
    return res.rows[0];
  }

  async insertSync(client: PoolClient, sync: Omit<RateSyncRow, 'finished_at' | 'approved_at'>): Promise<RateSyncRow> {
    const res = await client.query<RateSyncRow>(
      `INSERT INTO rate_syncs (id, source, status, summary, held_cards, error, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING *`,
      [
        sync.id,
        sync.source,
        sync.status,
        JSON.stringify(sync.summary),
        sync.held_cards === null ? null : JSON.stringify(sync.held_cards),
        sync.error,
        sync.started_at,
      ],
    );
    return res.rows[0];
  }

  async findSync(id: string, db: Pool | PoolClient = this.pool): Promise<RateSyncRow | null> {
    if (!isUuid(id)) return null;
    const res = await db.query<RateSyncRow>('SELECT * FROM rate_syncs WHERE id = $1', [id]);
    return res.rows[0] ?? null;
  }

  /** Moves a held sync to approved (once: the guard is the status); returns it, or null if it was not held. */
  async markApproved(client: PoolClient, id: string): Promise<RateSyncRow | null> {
    if (!isUuid(id)) return null;
    const res = await client.query<RateSyncRow>(
      `UPDATE rate_syncs SET status = 'approved', approved_at = now() WHERE id = $1 AND status = 'held' RETURNING *`,
      [id],
    );
    return res.rows[0] ?? null;
  }

  async updateSummary(client: PoolClient, id: string, summary: Record<string, unknown>): Promise<RateSyncRow> {
    const res = await client.query<RateSyncRow>('UPDATE rate_syncs SET summary = $2 WHERE id = $1 RETURNING *', [
      id,
      JSON.stringify(summary),
    ]);
    return res.rows[0];
  }

  /**
   * An organisation's negotiated prices for a card, in force from `effectiveFrom`. Versions are immutable:
   * the same (card, effective_from) twice returns the stored version, with `created` false.
   */
  async addOverride(organizationId: string, card: RateCardRow, effectiveFrom: Date): Promise<{ row: RateVersionRow; created: boolean }> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query<RateVersionRow>(
        `INSERT INTO rate_card_versions (${VERSION_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, 'override', $7, now(), NULL, $8)
         ON CONFLICT (scope, provider, model, source, effective_from) DO NOTHING
         RETURNING ${VERSION_COLUMNS}`,
        [
          randomUUID(),
          organizationId,
          card.provider,
          card.model,
          JSON.stringify(card.prices),
          JSON.stringify(card.tiers),
          effectiveFrom,
          card.content_hash,
        ],
      );
      if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
      const existing = await client.query<RateVersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM rate_card_versions
         WHERE scope = $1 AND provider = $2 AND model = $3 AND source = 'override' AND effective_from = $4`,
        [organizationId, card.provider, card.model, effectiveFrom],
      );
      return { row: existing.rows[0], created: false };
    });
  }

  async upsertAlias(alias: RateAliasRow): Promise<RateAliasRow> {
    const res = await this.pool.query<RateAliasRow>(
      `INSERT INTO rate_aliases (organization_id, alias, provider, model) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, alias) DO UPDATE SET provider = excluded.provider, model = excluded.model, updated_at = now()
       RETURNING organization_id, alias, provider, model`,
      [alias.organization_id, alias.alias, alias.provider, alias.model],
    );
    return res.rows[0];
  }
}

function columns(cards: RateCardRow[]): [string[], string[], string[], string[], string[]] {
  return [
    cards.map((c) => c.provider),
    cards.map((c) => c.model),
    cards.map((c) => JSON.stringify(c.prices)),
    cards.map((c) => JSON.stringify(c.tiers)),
    cards.map((c) => c.content_hash),
  ];
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
