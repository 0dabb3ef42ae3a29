import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { TollgateConfig } from '@tollgate/config';
import { Client } from 'pg';
import { CONFIG } from './tokens';

/** The channel the entitlement triggers notify (migration 20261204110000_entitlement_changes). */
export const ENTITLEMENT_CHANNEL = 'tollgate_entitlements';
const SYNC = 'sync:';
const RECONNECT_MS = 1000;
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

  constructor(@Inject(CONFIG) private readonly config: TollgateConfig) {}

  start(handler: EntitlementChangeHandler): void {
    this.handler = handler;
    void this.connect();
  }

  get isListening(): boolean {
    return this.client !== undefined;
  }

  /** Resolves true once every change committed before the call has been heard; false when not listening. */
  sync(timeoutMs = 5000): Promise<boolean> {
    const client = this.client;
    if (client === undefined) return Promise.resolve(false);
    const token = randomUUID();
    return new Promise((resolve) => {
      const done = (heard: boolean) => {
        clearTimeout(timer);
        this.syncs.delete(token);
        resolve(heard);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.syncs.set(token, done);
      client.query('SELECT pg_notify($1, $2)', [ENTITLEMENT_CHANNEL, SYNC + token]).catch(() => done(false));
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
