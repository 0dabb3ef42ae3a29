import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { IngestBatchesRepository, isDataError, isUnavailableError, PricedRow, PricingGuard, PricingRepository } from '@tollgate/db';
import { PlanBook } from './plan-book';
import { priceEvents, unpricedRow } from './price-events';
import { PRICING_METRICS, type PricingMetrics } from './pricing-metrics';
import { RATE_LOOKUP, type RateLookup } from './rate-lookup';

export interface PriceBatchCommand {
  batchId: string;
}

export type PriceBatchResult =
  | {
      outcome: 'priced';
      priced: number;
      unpriced: number;
      /** Events of the batch that another run had priced already. */
      alreadyPriced: number;
      /** Events whose amounts Postgres refused (out of range): unpriced with the reason, the rest of the batch priced. */
      refused: number;
      /** Postgres's words for the first refusal. */
      refusedError?: string;
    }
  /** It failed PRICE_MAX_ATTEMPTS times in a row the same way: its events are unpriced with the reason. */
  | { outcome: 'quarantined'; events: number; error: string };

/** Pricing runs a reset overtook in a row before giving up (and failing, to be retried). */
const MAX_OVERTAKEN = 5;

/** Why an event Postgres would not store the amounts of stays unpriced. */
export function refusedReason(error: string): string {
  return `pricing refused by Postgres (${error}): an amount out of range; check the plan's prices and markup and the model's rate`;
}

/**
 * Prices one ingest batch; running it twice, or on two workers at once, changes nothing the second time.
 * A failure is counted in Postgres and thrown (the queue retries it), until the batch has failed the same way
 * PRICE_MAX_ATTEMPTS times in a row: then it is quarantined, never retried on its own again, and never in the
 * way of other batches. An outage of Postgres is not the batch's failure and is never counted.
 *
 * NOTE: a repricing reset (a new plan version, a customer moved, an override) committing while this runs makes
 * the write a no-op, and the batch is priced again from fresh reads (docs/design.md, "Repricing"). Amounts
 * Postgres refuses leave only their own events unpriced, with the reason (docs/design.md, "Queue hygiene").
 */
@Injectable()
export class PriceBatch {
  constructor(
    private readonly pricing: PricingRepository,
    private readonly batches: IngestBatchesRepository,
    private readonly plans: PlanBook,
    @Inject(RATE_LOOKUP) private readonly rates: RateLookup,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @Optional() @Inject(PRICING_METRICS) private readonly metrics?: PricingMetrics,
  ) {}

  async execute({ batchId }: PriceBatchCommand): Promise<PriceBatchResult> {
    try {
      for (let run = 0; run < MAX_OVERTAKEN; run++) {
        const result = await this.price(batchId);
        if (result !== null) return result;
      }
      throw new Error(`repricing resets overtook pricing this batch ${MAX_OVERTAKEN} times in a row`);
    } catch (err) {
      if (isUnavailableError(err)) throw err;
      const error = err instanceof Error ? err.message : String(err);
      const failure = await this.batches.recordFailure(batchId, error, this.config.priceMaxAttempts);
      if (failure === null || !failure.quarantined) throw err;
      this.metrics?.batchQuarantined(failure.events);
      return { outcome: 'quarantined', events: failure.events, error };
    }
  }

  /** Null when a repricing reset committed after the reads: nothing was written. */
  private async price(batchId: string): Promise<PriceBatchResult | null> {
    // Before anything the prices depend on: the events, the rates, the customers' plans.
    const guard = await this.pricing.pricingGuard(batchId);
    const events = guard === null ? [] : await this.pricing.eventsToPrice(batchId);
    if (guard === null || events.length === 0) {
      await this.pricing.closeBatch(batchId);
      return { outcome: 'priced', priced: 0, unpriced: 0, alreadyPriced: 0, refused: 0 };
    }
    // An override that just re-opened these events must be in force here, not only after the next poll.
    await this.rates.refresh();
    const customers = await this.pricing.customers([...new Set(events.map((e) => e.customer_id))]);
    const plans = await this.plans.forCodes(guard.organizationId, [...new Set([...customers.values()].map((c) => c.plan_code))]);
    const rows = priceEvents(events, customers, plans, this.rates);
    const written = await this.write(batchId, guard, rows);
    if (written === null) return null;
    if (this.metrics) {
      const now = Date.now();
      const lags: number[] = [];
      // Each newly priced event once: if another run priced some of them, their lag was its to count.
      if (written.priced + written.unpriced === rows.length) {
        for (let i = 0; i < rows.length; i++) if (rows[i].status === 'priced' && !written.refusedIds.has(rows[i].id)) lags.push((now - events[i].received_at.getTime()) / 1000);
      }
      this.metrics.batchPriced(written.priced, written.unpriced, lags);
      if (written.refusedIds.size > 0) this.metrics.eventsRefused(written.refusedIds.size);
    }
    return {
      outcome: 'priced',
      priced: written.priced,
      unpriced: written.unpriced,
      alreadyPriced: rows.length - written.priced - written.unpriced,
      refused: written.refusedIds.size,
      ...(written.refusedError === undefined ? {} : { refusedError: written.refusedError }),
    };
  }

  /**
   * One statement for the batch; if Postgres refuses a value in it, the batch is split in halves until the
   * events it refuses are found (a few statements per bad event), and those are written unpriced with the reason.
   */
  private async write(batchId: string, guard: PricingGuard, rows: readonly PricedRow[]) {
    const refused: PricedRow[] = [];
    let refusedError: string | undefined;
    const totals = { priced: 0, unpriced: 0 };
    const attempt = async (part: readonly PricedRow[], close: boolean): Promise<boolean | null> => {
      try {
        const written = await this.pricing.writePriced(batchId, guard, part, { closeBatch: close });
        if (written === null) return null;
        totals.priced += written.priced;
        totals.unpriced += written.unpriced;
        return true;
      } catch (err) {
        if (!isDataError(err)) throw err;
        refusedError ??= (err as Error).message;
        return false;
      }
    };
    /** `failing` was refused: its halves are tried apart until the refused events are alone. */
    const isolate = async (failing: readonly PricedRow[]): Promise<boolean> => {
      if (failing.length === 1) {
        refused.push(failing[0]);
        return true;
      }
      const half = Math.ceil(failing.length / 2);
      for (const piece of [failing.slice(0, half), failing.slice(half)]) {
        const ok = await attempt(piece, false);
        if (ok === null || (ok === false && !(await isolate(piece)))) return false;
      }
      return true;
    };

    const whole = await attempt(rows, true);
    if (whole === null) return null;
    if (whole === false) {
      if (!(await isolate(rows))) return null;
      // Unpriced rows carry no amount: nothing left for Postgres to refuse. This write closes the batch.
      const reason = refusedReason(refusedError!);
      if ((await attempt(refused.map((r) => unpricedRow(r.id, reason)), true)) !== true) return null;
    }
    return { ...totals, refusedIds: new Set(refused.map((r) => r.id)), refusedError };
  }
}
