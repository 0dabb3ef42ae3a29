import { Injectable, Logger } from '@nestjs/common';
import { InvoicesRepository, Transactions, type Tx } from '@tollgate/db';
import { Clock } from '../clock';
import type { PublishedEvent } from '../webhooks/publish-webhook-event';
import { InvoiceSettler } from './invoice-settler';

export interface BillingCycleResult {
  /** Drafts made by closing periods. */
  closed: number;
  finalized: number;
  /** Drafts recomputed and kept (in their grace period, or waiting for approval). */
  refreshed: number;
  /** Invoices whose computation failed (they stay drafts, with the error). */
  failed: number;
}

/** Customers per transaction: large enough that a statement's fixed cost is spread, small enough to hold locks briefly. */
const CHUNK = 1000;
/** Repricing holds an organisation's billing lock briefly; a chunk that finds it taken waits this long and tries again. */
const BUSY_WAIT_MS = 100;
const BUSY_ATTEMPTS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The billing cycle (the worker runs it every BILLING_INTERVAL_SECONDS and once at start, which catches up on
 * whatever was due while no worker ran): closes every due period into a draft, finalizes the drafts whose grace
 * is over (and that need no approval), and recomputes the drafts whose usage, coupons, customer or plan changed.
 * Exactly once from Postgres alone: due customers are locked (SKIP LOCKED: workers share the work), a period
 * has one invoice by a unique key, and every transition is guarded by the invoice's status.
 */
@Injectable()
export class RunBillingCycle {
  private readonly logger = new Logger('billing');

  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly settler: InvoiceSettler,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<BillingCycleResult> {
    const now = this.clock.now();
    const total: BillingCycleResult = { closed: 0, finalized: 0, refreshed: 0, failed: 0 };
    // After each chunk's commit: its counts, and its finalized invoices to the Stripe push.
    const add = async (r: Chunk) => {
      for (const k of Object.keys(total) as (keyof BillingCycleResult)[]) total[k] += r[k] ?? 0;
      await this.settler.afterCommit({ finalized: r.finalizedIds ?? [], published: r.published ?? [] });
    };

    // Periods due: one chunk of customers per transaction, each closing its oldest due period (a customer
    // several periods behind comes back in the next chunk), its new drafts computed and, if due, finalized.
    await this.chunks(async (tx) => {
      const customers = await this.invoices.dueCustomers(tx, now, CHUNK);
      if (customers.length === 0) return null;
      if (
        !(await this.invoices.lockBilling(
          tx,
          customers.map((c) => c.organization_id),
          'shared',
          false,
        ))
      )
        return 'busy';
      const { created } = await this.settler.close(tx, customers, now);
      const settled = await this.settler.settle(tx, await this.invoices.lockInvoices(tx, created), now);
      return {
        closed: created.length,
        finalized: settled.finalized.length,
        refreshed: settled.drafts.length,
        failed: settled.failed.length,
        finalizedIds: settled.finalized,
        published: settled.published,
      };
    }, add);

    // Drafts due for finalization or whose inputs changed; each computed at most once per cycle.
    const since = await this.invoices.databaseNow();
    await this.chunks(async (tx) => {
      const customerIds = await this.invoices.customersWithDraftWork(tx, now, since, CHUNK);
      if (customerIds.length === 0) return null;
      const drafts = await this.invoices.draftsWithWork(tx, customerIds, now, since);
      if (
        !(await this.invoices.lockBilling(
          tx,
          drafts.map((d) => d.organization_id),
          'shared',
          false,
        ))
      )
        return 'busy';
      const settled = await this.settler.settle(tx, drafts, now);
      return {
        finalized: settled.finalized.length,
        refreshed: settled.drafts.length,
        failed: settled.failed.length,
        finalizedIds: settled.finalized,
        published: settled.published,
      };
    }, add);
    return total;
  }

  /**
   * Runs `work` in a transaction per chunk until it reports nothing left, counting what each committed chunk did;
   * a busy chunk is rolled back and tried again.
   */
  private async chunks(work: (tx: Tx) => Promise<Chunk | 'busy' | null>, done: (chunk: Chunk) => Promise<void>): Promise<void> {
    let busy = 0;
    for (;;) {
      let outcome: Chunk | 'busy' | null;
      try {
        outcome = await this.transactions.run(async (tx) => {
          const r = await work(tx);
          if (r === 'busy') throw BUSY;
          return r;
        });
      } catch (err) {
        if (err !== BUSY) throw err;
        outcome = 'busy';
      }
      if (outcome === null) return;
      if (outcome !== 'busy') {
        await done(outcome);
        continue;
      }
      if (++busy > BUSY_ATTEMPTS) {
        this.logger.warn({ msg: 'an organisation stayed locked by repricing; the next cycle continues' });
        return;
      }
      await sleep(BUSY_WAIT_MS);
    }
  }
}

type Chunk = Partial<BillingCycleResult> & { finalizedIds?: string[]; published?: PublishedEvent[] };

const BUSY = new Error('billing lock taken');
