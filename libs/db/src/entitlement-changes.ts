import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { TollgateConfig } from '@tollgate/config';
import { Client } from 'pg';
import { CONFIG } from './tokens';

/** The channel the entitlement triggers notify (migration 20261204110000_entitlement_changes). */
export const ENTITLEMENT_CHANNEL = 'tollgate_entitlements';
const SYNC = 'sync:';
const RECONNECT_MS = 1000;
/** A sync not heard back by then empties the cache (the connection is presumed lost). */
const SYNC_TIMEOUT_MS = 5000;
/** The listening connection's application_name (pg_stat_activity). */
export const LISTENER_NAME = 'tollgate entitlement listener';

/** What a listener tells the cache it feeds. */
export interface EntitlementChangeHandler {
  /** Listening (again): changes committed while it was not may have been missed. */
  listening(): void;
  /** Not listening any more (the connection was lost): nothing heard can be trusted until `listening`. */
  deaf(): void;
  /** These customers' cached entitlements may have changed (a commit touched them). */
  changed(customerIds: string[]): void;
}

/**
 * LISTENs on a connection of its own for the customers whose entitlement may have changed (docs/design.md "The
 * api's entitlement cache"), and reconnects when that connection is lost. Postgres sends notifications at commit,
 * in commit order, so `sync` (a notification of its own, heard back) proves every change committed before it was
 * heard.
 */
@Injectable()
export class EntitlementChanges implements OnModuleDestroy {
  private client?: Client;
  private handler?: EntitlementChangeHandler;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly syncs = new Map<string, (heard: boolean) => void>();
  /** Syncs waiting for the next notification of their own, and whether one is being sent. */
  private waiting: ((heard: boolean) => void)[] = [];
  private sending = false;

  constructor(@Inject(CONFIG) private readonly config: TollgateConfig) {}

  start(handler: EntitlementChangeHandler): void {
    this.handler = handler;
    void this.connect();
  }

  get isListening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Resolves true once every change committed before the call has been heard; false when not listening. Calls
   * that come while a sync's notification is on its way share the next one (one statement at a time on the
   * listening connection).
   */
  sync(): Promise<boolean> {
    if (this.client === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.sendSync();
    });
  }

  private sendSync() {
    if (this.sending || this.waiting.length === 0) return;
    const client = this.client;
    const callers = this.waiting.splice(0);
    if (client === undefined) {
      for (const resolve of callers) resolve(false);
      return;
    }
    const token = randomUUID();
    const done = (heard: boolean) => {
      clearTimeout(timer);
      if (!this.syncs.delete(token)) return;
      for (const resolve of callers) resolve(heard);
    };
    const timer = setTimeout(() => done(false), SYNC_TIMEOUT_MS);
    this.syncs.set(token, done);
    this.sending = true;
    client
      .query('SELECT pg_notify($1, $2)', [ENTITLEMENT_CHANNEL, SYNC + token])
      .catch(() => done(false))
      .finally(() => {
        this.sending = false;
        this.sendSync();
      });
  }

  async onModuleDestroy() {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, keepAlive: true, application_name: LISTENER_NAME });
    client.on('error', () => undefined);
    client.on('notification', (msg) => {
      if (msg.channel !== ENTITLEMENT_CHANNEL || msg.payload === undefined) return;
      if (msg.payload.startsWith(SYNC)) this.syncs.get(msg.payload.slice(SYNC.length))?.(true);
      else this.handler?.changed(msg.payload.split(','));
    });
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.handler?.deaf();
      for (const done of [...this.syncs.values()]) done(false);
      for (const resolve of this.waiting.splice(0)) resolve(false);
      this.retry();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ENTITLEMENT_CHANNEL}`);
    } catch {
      await client.end().catch(() => undefined);
      this.retry();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.handler?.listening();
  }

  private retry() {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), RECONNECT_MS);
  }
}
