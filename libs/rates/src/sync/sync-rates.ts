import { randomUUID } from 'node:crypto';
import type { RateCardRow, RatesRepository, RateSyncRow, RateSyncStatus } from '@tollgate/db';
import type { ParsedSource } from '../source-errors';
import type { SourceSettings } from '../sources/list-source';
import { LIST_SOURCE_REGISTRY, type ListSource } from '../sources/registry';
import { cardFromRow, cardToRow } from '../store/version-rows';
import { runSourceSync, type SyncResult } from './run-sync';
import { DEFAULT_SYNC_POLICY, type SyncPolicy } from './verdict';

/** Which sources a sync fetches, with their settings. */
export interface SyncSourcesConfig extends SourceSettings {
  readonly sources: readonly ListSource[];
  /** Deadline of one source's fetch, all its requests together. */
  readonly timeoutMs: number;
  readonly policy?: SyncPolicy;
}

/** What a sync found for one source (rate_syncs.summary[source]); prices in USD per token. */
export interface SourceSummary {
  outcome: SyncResult['outcome'];
  error?: string;
  added?: number;
  changed?: number;
  removed?: number;
  unchanged?: number;
  skipped?: number;
  reasons?: string[];
  price_moves?: { provider: string; model: string; price: string; before: string; after: string }[];
  /** Versions and removal markers written (when applied, or when a held sync is approved). */
  versions_written?: number;
  removal_markers?: number;
}

/** Who is told that list prices changed (the process's RateBook). */
export interface RatesChanged {
  refresh(): Promise<unknown>;
}

type Fetched = { readonly parsed: ParsedSource; readonly at: Date } | { readonly error: unknown; readonly at: Date };

function fetcherFor(source: ListSource, config: SyncSourcesConfig): () => Promise<ParsedSource> {
  return () => {
    const deadline = AbortSignal.timeout(config.timeoutMs);
    return LIST_SOURCE_REGISTRY[source].fetch(config, {
      timeoutMs: config.timeoutMs,
      fetch: ((input, init) =>
        fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline })) as typeof fetch,
    });
  };
}

function summarize(result: SyncResult): SourceSummary {
  if (result.outcome === 'failed') return { outcome: 'failed', error: result.error };
  const { diff } = result;
  const summary: SourceSummary = {
    outcome: result.outcome,
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    unchanged: diff.unchanged,
    skipped: result.skipped.length,
  };
  if (result.outcome === 'held') return { ...summary, reasons: result.reasons, price_moves: result.priceMoves.map((m) => ({ ...m })) };
  return summary;
}

/** One status for a run over several sources: what needs an admin first, then what needs attention. */
function overallStatus(outcomes: SyncResult['outcome'][]): RateSyncStatus {
  for (const status of ['held', 'failed', 'applied'] as const) if (outcomes.includes(status)) return status;
  return 'unchanged';
}

/**
 * Fetches every configured list source and applies what changed (docs/design.md, "Rate cards"). One rate_syncs row
 * per run: per source it is applied (new versions, in force from now), unchanged, held for an admin (cards
 * kept in held_cards) or failed (the last good versions stay). The same use case serves the hourly job and
 * `POST /v1/rates/sync`.
 */
export class SyncRates {
  constructor(
    private readonly repo: RatesRepository,
    private readonly changed: RatesChanged | null,
    private readonly config: SyncSourcesConfig,
  ) {}

  async run(): Promise<RateSyncRow> {
    const id = randomUUID();
    const startedAt = new Date();
    // Fetch outside the transaction (network); decide and write inside it, against the last good cards then.
    const fetched = await Promise.all(
      this.config.sources.map(async (source): Promise<[ListSource, Fetched]> => {
        try {
          return [source, { parsed: await fetcherFor(source, this.config)(), at: new Date() }];
        } catch (error) {
          return [source, { error, at: new Date() }];
        }
      }),
    );
    const sync = await this.repo.transaction(async (client) => {
      const summary: Record<string, SourceSummary> = {};
      const held: Record<string, RateCardRow[]> = {};
      for (const [source, got] of fetched) {
        const lastGood = (await this.repo.latestListCards(source, client)).map((row) => cardFromRow(row, source));
        // The fetch already ran (outside the transaction); a failure is rethrown as it was caught.
        const replay = async () => {
          if ('parsed' in got) return got.parsed;
          throw got.error;
        };
        const result = await runSourceSync(replay, lastGood, this.config.policy ?? DEFAULT_SYNC_POLICY);
        summary[source] = summarize(result);
        if (result.outcome === 'applied') {
          const written = await this.repo.applyListing(client, source, result.cards.map(cardToRow), id, new Date(), got.at);
          summary[source] = { ...summary[source], versions_written: written.written, removal_markers: written.removed };
        } else if (result.outcome === 'held') held[source] = result.cards.map(cardToRow);
      }
      const errors = Object.entries(summary)
        .filter(([, s]) => s.error !== undefined)
        .map(([source, s]) => `${source}: ${s.error}`);
      return this.repo.insertSync(client, {
        id,
        source: this.config.sources.join(','),
        status: overallStatus(Object.values(summary).map((s) => s.outcome)),
        summary,
        held_cards: Object.keys(held).length > 0 ? held : null,
        error: errors.length > 0 ? errors.join('; ') : null,
        started_at: startedAt,
      });
    });
    // A cheap signature check: reloads only if a source was applied.
    await this.changed?.refresh();
    return sync;
  }

  /**
   * Applies a held sync's cards as each source's listing, in force from now (the moment prices are accepted).
   * Once only: the status moves from held to approved in the same transaction.
   */
  async approve(
    id: string,
  ): Promise<{ ok: true; sync: RateSyncRow } | { ok: false; reason: 'not_found' | 'not_held'; sync?: RateSyncRow }> {
    const outcome = await this.repo.transaction(async (client) => {
      const sync = await this.repo.markApproved(client, id);
      if (sync === null) {
        const existing = await this.repo.findSync(id, client);
        return existing === null
          ? ({ ok: false, reason: 'not_found' } as const)
          : ({ ok: false, reason: 'not_held', sync: existing } as const);
      }
      const summary = { ...(sync.summary as Record<string, SourceSummary>) };
      const now = new Date();
      for (const [source, cards] of Object.entries(sync.held_cards ?? {})) {
        const written = await this.repo.applyListing(client, source, cards, sync.id, now, sync.started_at);
        summary[source] = { ...summary[source]!, versions_written: written.written, removal_markers: written.removed };
      }
      return { ok: true, sync: await this.repo.updateSummary(client, sync.id, summary) } as const;
    });
    if (outcome.ok) await this.changed?.refresh();
    return outcome;
  }
}
