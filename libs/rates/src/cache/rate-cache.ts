import type { RateSource, RateVersion } from '../rate-card';
import { DEFAULT_SOURCE_ORDER, sourcesFor, type SourceOrder } from '../source-order';

/** One source's versions of one (provider, model), sorted by effective time. */
interface Timeline {
  times: number[];
  versions: RateVersion[];
}

interface ModelEntry {
  readonly bySource: Map<RateSource, Timeline>;
  readonly order: readonly RateSource[];
}

function lastAtOrBefore(times: readonly number[], at: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * In-process rate versions keyed by (provider, model), each source's versions sorted by `effectiveFrom`.
 * `lookup` answers which version was in force at a time: for each source in the configured order, the
 * latest version effective at or before that time; a source whose version there is a removal is passed over.
 * Fed by the database layer (`replace` at start, `upsert` as versions appear); `generation` counts changes.
 */
export class RateCache {
  private readonly entries = new Map<string, Map<string, ModelEntry>>();
  private changes = 0;
  private count = 0;

  constructor(private readonly order: SourceOrder = DEFAULT_SOURCE_ORDER) {}

  /** Increments on every change: a consumer holding derived state (e.g. resolutions) knows when to drop it. */
  get generation(): number {
    return this.changes;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a version, or replaces one with the same id or the same (source, effectiveFrom). Returns false if already known. */
  upsert(version: RateVersion): boolean {
    let models = this.entries.get(version.provider);
    if (models === undefined) {
      models = new Map();
      this.entries.set(version.provider, models);
    }
    let entry = models.get(version.model);
    if (entry === undefined) {
      entry = { bySource: new Map(), order: sourcesFor(this.order, version.provider) };
      models.set(version.model, entry);
    }
    let timeline = entry.bySource.get(version.source);
    if (timeline === undefined) {
      timeline = { times: [], versions: [] };
      entry.bySource.set(version.source, timeline);
    }
    const at = version.effectiveFrom.getTime();
    const same = timeline.versions.findIndex((v) => v.id === version.id || v.effectiveFrom.getTime() === at);
    if (same >= 0) {
      if (timeline.versions[same] === version) return false;
      timeline.versions.splice(same, 1);
      timeline.times.splice(same, 1);
      this.count -= 1;
    }
    const index = lastAtOrBefore(timeline.times, at) + 1;
    timeline.times.splice(index, 0, at);
    timeline.versions.splice(index, 0, version);
    this.count += 1;
    this.changes += 1;
    return true;
  }

  /** Drops everything and loads these versions (e.g. all versions read from the database). */
  replace(versions: Iterable<RateVersion>): void {
    this.entries.clear();
    this.count = 0;
    for (const version of versions) this.upsert(version);
    this.changes += 1;
  }

  /** The version in force for (provider, model) at `at` (epoch ms or Date), or null. */
  lookup(provider: string, model: string, at: number | Date): RateVersion | null {
    const entry = this.entries.get(provider)?.get(model);
    if (entry === undefined) return null;
    const time = typeof at === 'number' ? at : at.getTime();
    for (const source of entry.order) {
      const timeline = entry.bySource.get(source);
      if (timeline === undefined) continue;
      const index = lastAtOrBefore(timeline.times, time);
      if (index >= 0 && timeline.versions[index]!.removed !== true) return timeline.versions[index]!;
    }
    return null;
  }

  /** Whether any source ever had a card for (provider, model): the model resolver's catalogue. */
  has(provider: string, model: string): boolean {
    return this.entries.get(provider)?.has(model) ?? false;
  }

  /** Every version of (provider, model), by source then time: for `GET /v1/rates` history. */
  history(provider: string, model: string): RateVersion[] {
    const entry = this.entries.get(provider)?.get(model);
    return entry === undefined ? [] : [...entry.bySource.values()].flatMap((t) => t.versions);
  }
}
