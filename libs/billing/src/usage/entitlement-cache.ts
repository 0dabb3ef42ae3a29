import { performance } from 'node:perf_hooks';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { CreditsRepository, EntitlementChanges, type EntitlementChangeHandler } from '@tollgate/db';
import { Clock } from '../clock';
import { entitlementView, type EntitlementFigures, type EntitlementView } from './entitlement-view';

/** Customers one api process keeps at most; past it, the longest held goes first. */
export const ENTITLEMENT_CACHE_MAX = 100_000;

interface Entry {
  key: string;
  customerId: string;
  view: EntitlementView;
  /** The end of the period it was computed for (billing clock, ms). */
  periodEnd: number;
  /** When it reaches ENTITLEMENT_MAX_AGE_SECONDS (performance.now(), ms). */
  expiresAt: number;
  /** The latest notification that named it; a reading started before that one does not store. */
  changedAt: number;
}

/** A computed entitlement to keep: its view, the customer, its period's end, its age by the database's clock. */
export interface EntitlementToKeep {
  customerId: string;
  view: EntitlementView;
  periodEnd: Date;
  ageMs: number;
}

/** A row the cache reads again, as the repository gives it. */
type Row = Awaited<ReturnType<CreditsRepository['entitlementsById']>>[number];

/**
 * The api's in-process entitlement cache (docs/design.md "The api's entitlement cache"): the check on every agent
 * call answered from memory, without a Postgres round trip. What it holds it keeps current from Postgres's
 * notifications (EntitlementChanges): a commit that touches a held customer's entitlement row, wallet revision or
 * customer row makes it read that customer's row again (a lookup in the meantime answers what it held: the answer
 * of a moment before). A row the database would not call fresh is dropped, so the check computes it as without the
 * cache. `sync` waits until every change committed before it is heard and read again: the api's responses to
 * changes wait for it. While the listener is not connected the cache holds nothing and every check reads Postgres.
 */
@Injectable()
export class EntitlementCache implements EntitlementChangeHandler, OnApplicationBootstrap {
  private readonly byKey = new Map<string, Entry>();
  private readonly byCustomer = new Map<string, Entry>();
  /** Counts notifications (and resets): a reading keeps what it read only if none came since it started. */
  private generation = 0;
  private heard = false;
  /** Readings the notifications started, not finished. */
  private readonly readings = new Set<Promise<void>>();

  constructor(
    private readonly changes: EntitlementChanges,
    private readonly credits: CreditsRepository,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  onApplicationBootstrap() {
    this.changes.start(this);
  }

  /** Whether it hears changes (and so holds answers). */
  get isListening(): boolean {
    return this.heard;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The held answer for this customer, current as of the last notification heard; undefined when not held. */
  get(organizationId: string, externalId: string): EntitlementView | undefined {
    const entry = this.byKey.get(keyOf(organizationId, externalId));
    if (entry === undefined) return undefined;
    if (performance.now() >= entry.expiresAt || this.clock.now().getTime() >= entry.periodEnd) {
      this.drop(entry);
      return undefined;
    }
    return entry.view;
  }

  /** Taken before a check reads Postgres, handed back to `keep`. */
  ticket(): number {
    return this.generation;
  }

  /** Keeps what a check read or computed, unless a notification came since its ticket (it may predate a change). */
  keep(ticket: number, organizationId: string, externalId: string, kept: EntitlementToKeep): void {
    if (!this.heard || ticket !== this.generation) return;
    const key = keyOf(organizationId, externalId);
    const held = this.byKey.get(key);
    if (held !== undefined) this.drop(held);
    if (this.byKey.size >= ENTITLEMENT_CACHE_MAX) this.drop(this.byKey.values().next().value as Entry);
    const entry: Entry = {
      key,
      customerId: kept.customerId,
      view: kept.view,
      periodEnd: kept.periodEnd.getTime(),
      expiresAt: performance.now() + this.config.entitlementMaxAgeMs - kept.ageMs,
      changedAt: this.generation,
    };
    this.byKey.set(key, entry);
    this.byCustomer.set(entry.customerId, entry);
  }

  /** Resolves once every change committed before the call is reflected (or the cache is emptied). */
  async sync(): Promise<void> {
    if (!this.heard) return;
    if (!(await this.changes.sync())) this.clear();
    await Promise.all([...this.readings]);
  }

  listening(): void {
    this.clear();
    this.heard = true;
  }

  deaf(): void {
    this.heard = false;
    this.clear();
  }

  changed(customerIds: string[]): void {
    const generation = ++this.generation;
    const held: Entry[] = [];
    for (const id of customerIds) {
      const entry = this.byCustomer.get(id);
      if (entry === undefined) continue;
      entry.changedAt = generation;
      held.push(entry);
    }
    if (held.length === 0) return;
    const reading = this.readAgain(held, generation).finally(() => this.readings.delete(reading));
    this.readings.add(reading);
  }

  private async readAgain(entries: Entry[], generation: number): Promise<void> {
    let rows: Row[] | null = null;
    try {
      rows = await this.credits.entitlementsById(
        entries.map((e) => e.customerId),
        this.clock.now(),
        this.config.entitlementMaxAgeMs,
      );
    } catch {
      // Not read: dropped, so the next check reads Postgres itself.
    }
    const byId = new Map(rows?.map((r) => [r.customer_id, r]));
    for (const entry of entries) {
      if (entry.changedAt !== generation || this.byKey.get(entry.key) !== entry) continue; // a later notification owns it
      const row = byId.get(entry.customerId);
      if (row === undefined || !row.fresh || row.period_end === null || row.age_ms === null) {
        this.drop(entry);
        continue;
      }
      entry.view = entitlementView(row as EntitlementFigures);
      entry.periodEnd = row.period_end.getTime();
      entry.expiresAt = performance.now() + this.config.entitlementMaxAgeMs - row.age_ms;
    }
  }

  private drop(entry: Entry) {
    if (this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
    if (this.byCustomer.get(entry.customerId) === entry) this.byCustomer.delete(entry.customerId);
  }

  private clear() {
    this.generation++;
    this.byKey.clear();
    this.byCustomer.clear();
  }
}

function keyOf(organizationId: string, externalId: string): string {
  return `${organizationId} ${externalId}`;
}
