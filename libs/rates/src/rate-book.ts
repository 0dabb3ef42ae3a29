import type { RatesRepository } from '@tollgate/db';
import { RateCache } from './cache/rate-cache';
import type { RateVersion } from './rate-card';
import { resolveModel, type ModelRef, type RateCatalog, type Resolution, type ResolveOptions } from './resolve/resolve-model';
import { bundledSnapshot } from './snapshot/bundled';
import { snapshotCards, type SnapshotFile } from './snapshot/snapshot-file';
import { DEFAULT_SOURCE_ORDER, type SourceOrder } from './source-order';
import { cardToRow, versionFromRow } from './store/version-rows';

export type RateLookupResult = { ok: true; version: RateVersion } | { ok: false; reason: string };

export interface RateBookOptions {
  /** Which list source prices a (provider, model); overrides always win. */
  readonly order?: SourceOrder;
  /** How often to check the database for new versions and aliases; 0 = only on `refresh()`. */
  readonly pollMs?: number;
  readonly resolve?: Omit<ResolveOptions, 'aliases'>;
  /** The snapshot seeded into an empty database (default: the bundled one). */
  readonly snapshot?: () => SnapshotFile[];
  /** Told when a poll fails (the book keeps answering from what it has). */
  readonly onError?: (error: unknown) => void;
}

type Store = Pick<RatesRepository, 'signature' | 'allVersions' | 'allAliases' | 'listSources' | 'seedListVersions'>;

// Overrides are looked up before any list source, whatever the configured order.
const OVERRIDES_ONLY: SourceOrder = { byProvider: {}, otherwise: ['override'] };
// Event model names come from clients: bound the memo so unknown names cannot grow it without end.
const MEMO_LIMIT = 100_000;

/** Everything loaded at one signature; replaced whole, so a lookup never sees half a reload. */
interface Loaded {
  readonly list: RateCache;
  readonly overrides: ReadonlyMap<string, RateCache>;
  readonly aliases: ReadonlyMap<string, ReadonlyMap<string, ModelRef>>;
  readonly providers: ReadonlySet<string>;
}

const EMPTY: Loaded = { list: new RateCache(), overrides: new Map(), aliases: new Map(), providers: new Set() };

/**
 * The rate cards of every organisation, in process: list prices, each organisation's overrides and aliases.
 * `lookup` resolves an event's model (aliases, prefixes, dated ids, Bedrock ids) and answers the version in
 * force at the event's time, override first. It learns of new versions by polling a cheap signature.
 */
export class RateBook {
  private loaded: Loaded = EMPTY;
  private memo = new Map<string, Map<string, Map<string, Resolution>>>();
  private memoSize = 0;
  private signature: string | null = null;
  private changes = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly order: SourceOrder;

  constructor(
    private readonly store: Store,
    private readonly options: RateBookOptions = {},
  ) {
    this.order = options.order ?? DEFAULT_SOURCE_ORDER;
  }

  /** Seeds the bundled snapshot for list sources the database has no version of, loads, then polls. */
  async start(): Promise<void> {
    await this.seedSnapshot();
    await this.refresh();
    const pollMs = this.options.pollMs ?? 5000;
    if (pollMs > 0 && this.timer === undefined) {
      this.timer = setInterval(() => {
        this.refresh().catch((error) => this.options.onError?.(error));
      }, pollMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Changes whenever a version, override or alias appears: unpriced events may have become priceable. */
  get generation(): number {
    return this.changes;
  }

  /** Called after each reload that changed something. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reloads if the database changed since the last load (call it right after a local write). True if it reloaded. */
  refresh(): Promise<boolean> {
    // Concurrent callers share one reload; a caller arriving after it started waits for the next check.
    const previous =
      this.refreshing === null
        ? Promise.resolve()
        : this.refreshing.then(
            () => undefined,
            () => undefined,
          );
    const run = previous.then(() => this.reloadIfChanged());
    const settled = run.finally(() => {
      if (this.refreshing === settled) this.refreshing = null;
    });
    this.refreshing = settled;
    return settled;
  }

  /** The rate card version pricing an event of this organisation, or why there is none. */
  lookup(organizationId: string, provider: string, model: string, at: number): RateLookupResult {
    const resolution = this.resolve(organizationId, provider, model);
    if (!resolution.ok) return resolution;
    const version = this.inForce(organizationId, resolution.provider, resolution.model, at);
    if (version === null) {
      return { ok: false, reason: `no rate card for ${resolution.provider}/${resolution.model} in force at ${new Date(at).toISOString()}` };
    }
    return { ok: true, version };
  }

  /** The version of a card (no resolution) in force at `at` for an organisation: its override first. */
  inForce(organizationId: string, provider: string, model: string, at: number): RateVersion | null {
    const { list, overrides } = this.loaded;
    return overrides.get(organizationId)?.lookup(provider, model, at) ?? list.lookup(provider, model, at);
  }

  /** The card a name resolves to without the organisation's aliases (an alias's target, GET /v1/rates). */
  resolveCard(organizationId: string, provider: string, model: string): Resolution {
    return resolveModel({ provider, model }, this.catalog(organizationId), this.options.resolve);
  }

  /** Which card an organisation's (provider, model) is priced with (memoised until the next change). */
  resolve(organizationId: string, provider: string, model: string): Resolution {
    // Nested maps: no key string built per lookup on the pricing hot path.
    let byProvider = this.memo.get(organizationId);
    if (byProvider === undefined) this.memo.set(organizationId, (byProvider = new Map()));
    let byModel = byProvider.get(provider);
    if (byModel === undefined) byProvider.set(provider, (byModel = new Map()));
    let resolution = byModel.get(model);
    if (resolution === undefined) {
      resolution = resolveModel({ provider, model }, this.catalog(organizationId), {
        ...this.options.resolve,
        aliases: this.loaded.aliases.get(organizationId),
      });
      if (++this.memoSize > MEMO_LIMIT) {
        this.memo = new Map();
        this.memoSize = 0;
      } else byModel.set(model, resolution);
    }
    return resolution;
  }

  /** Every version of a card visible to an organisation: its overrides, then each list source's. */
  history(organizationId: string, provider: string, model: string): RateVersion[] {
    return [...(this.loaded.overrides.get(organizationId)?.history(provider, model) ?? []), ...this.loaded.list.history(provider, model)];
  }

  /** What an organisation can price: list cards and its overrides. */
  catalog(organizationId: string): RateCatalog {
    const { list, overrides } = this.loaded;
    const own = overrides.get(organizationId);
    return own === undefined ? list : { has: (p, m) => own.has(p, m) || list.has(p, m) };
  }

  /** Providers with any card (list or some organisation's override). */
  get providers(): ReadonlySet<string> {
    return this.loaded.providers;
  }

  private async reloadIfChanged(): Promise<boolean> {
    const signature = await this.store.signature();
    if (signature === this.signature) return false;
    const [rows, aliasRows] = await Promise.all([this.store.allVersions(), this.store.allAliases()]);
    const list = new RateCache(this.order);
    const overrides = new Map<string, RateCache>();
    const providers = new Set<string>();
    const listVersions: RateVersion[] = [];
    for (const row of rows) {
      const version = versionFromRow(row);
      providers.add(version.provider);
      if (row.scope === 'list') listVersions.push(version);
      else {
        let cache = overrides.get(row.scope);
        if (cache === undefined) overrides.set(row.scope, (cache = new RateCache(OVERRIDES_ONLY)));
        cache.upsert(version);
      }
    }
    list.replace(listVersions);
    const aliases = new Map<string, Map<string, ModelRef>>();
    for (const a of aliasRows) {
      let own = aliases.get(a.organization_id);
      if (own === undefined) aliases.set(a.organization_id, (own = new Map()));
      own.set(a.alias.toLowerCase(), { provider: a.provider, model: a.model });
    }
    this.loaded = { list, overrides, aliases, providers };
    this.memo = new Map();
    this.memoSize = 0;
    this.signature = signature;
    this.changes += 1;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    return true;
  }

  private async seedSnapshot(): Promise<void> {
    const present = new Set(await this.store.listSources());
    const files = (this.options.snapshot ?? bundledSnapshot)().filter((f) => !present.has(f.source));
    for (const file of files) {
      // In force from the Unix epoch: the earliest list price known, so backfilled events are priced too.
      await this.store.seedListVersions(
        file.source,
        snapshotCards(file).map(cardToRow),
        new Date(0),
        new Date(`${file.taken_on}T00:00:00Z`),
      );
    }
  }
}
