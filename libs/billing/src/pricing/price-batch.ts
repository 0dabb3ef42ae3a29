import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { IngestBatchesRepository, isDataError, isUnavailableError, PricedRow, PricingGuard, PricingRepository } from '@tollgate/db';
import { CheckUsageThresholds, type CheckUsageThresholdsCommand, type PricedPeriod } from '../alerts/check-usage-thresholds';
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
    private readonly thresholds: CheckUsageThresholds,
    @Optional() @Inject(PRICING_METRICS) private readonly metrics?: PricingMetrics,
  ) {}

  async execute({ batchId }: PriceBatchCommand): Promise<PriceBatchResult> {
    let priced: Priced | null = null;
    try {
      for (let run = 0; run < MAX_OVERTAKEN && priced === null; run++) priced = await this.price(batchId);
      if (priced === null) throw new Error(`repricing resets overtook pricing this batch ${MAX_OVERTAKEN} times in a row`);
    } catch (err) {
      if (isUnavailableError(err)) throw err;
      const error = err instanceof Error ? err.message : String(err);
      const failure = await this.batches.recordFailure(batchId, error, this.config.priceMaxAttempts);
      if (failure === null || !failure.quarantined) throw err;
      this.metrics?.batchQuarantined(failure.events);
      return { outcome: 'quarantined', events: failure.events, error };
    }
    // After the commit, and not a pricing failure if it throws: the job is retried, finds the batch priced and
    // checks again from Postgres, so a crossing is never missed (docs/design.md, "Webhooks").
    if (priced.check === null) await this.thresholds.forBatch(batchId);
    else await this.thresholds.execute(priced.check);
    return priced.result;
  }

  /** Null when a repricing reset committed after the reads: nothing was written. */
  private async price(batchId: string): Promise<Priced | null> {
    // Before anything the prices depend on: the events, the rates, the customers' plans.
    const guard = await this.pricing.pricingGuard(batchId);
    const events = guard === null ? [] : await this.pricing.eventsToPrice(batchId);
    if (guard === null || events.length === 0) {
      await this.pricing.closeBatch(batchId);
      return { result: { outcome: 'priced', priced: 0, unpriced: 0, alreadyPriced: 0, refused: 0 }, check: null };
    }
    // An override that just re-opened these events must be in force here, not only after the next poll.
    await this.rates.refresh();
    const { organizationId } = guard;
    const customers = await this.pricing.customers([...new Set(events.map((e) => e.customer_id))]);
    const plans = await this.plans.forCodes(organizationId, [...new Set([...customers.values()].map((c) => c.plan_code))]);
    const rows = priceEvents(events, customers, plans, this.rates);
    const written = await this.write(batchId, guard, rows);
    if (written === null) return null;
    const isPriced = (r: PricedRow) => r.status === 'priced' && !written.refusedIds.has(r.id);
    if (this.metrics) {
      const now = Date.now();
      const lags: number[] = [];
      // Each newly priced event once: if another run priced some of them, their lag was its to count.
      if (written.priced + written.unpriced === rows.length) {
        for (let i = 0; i < rows.length; i++) if (isPriced(rows[i])) lags.push((now - events[i].received_at.getTime()) / 1000);
      }
      this.metrics.batchPriced(written.priced, written.unpriced, lags);
      if (written.refusedIds.size > 0) this.metrics.eventsRefused(written.refusedIds.size);
    }
    const periods = new Map<string, PricedPeriod>();
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (isPriced(r))
        periods.set(`${events[i].customer_id}/${r.periodStart!.getTime()}`, {
          customerId: events[i].customer_id,
          periodStart: r.periodStart!,
          periodEnd: r.periodEnd!,
        });
    }
    return {
      result: {
        outcome: 'priced',
        priced: written.priced,
        unpriced: written.unpriced,
        alreadyPriced: rows.length - written.priced - written.unpriced,
        refused: written.refusedIds.size,
        ...(written.refusedError === undefined ? {} : { refusedError: written.refusedError }),
      },
      check: { organizationId, periods: [...periods.values()] },
    };
  }

  /**
   * One statement for the batch; if Postgres refuses a value in it, the batch is split in halves until the
   * events it refuses are found (a few statements per bad event), and those are written unpriced with the reason.
   * Null when a reset overtook the run (nothing more is written).
   */
  private async write(batchId: string, guard: PricingGuard, rows: readonly PricedRow[]) {
    const refused: PricedRow[] = [];
    let refusedError: string | undefined;
    const totals = { priced: 0, unpriced: 0 };
    /** True: written; false: Postgres refused a value; null: a reset overtook the run. */
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
      if (
        (await attempt(
          refused.map((r) => unpricedRow(r.id, reason)),
          true,
        )) !== true
      )
        return null;
    }
    return { ...totals, refusedIds: new Set(refused.map((r) => r.id)), refusedError };
  }
}

interface Priced {
  result: PriceBatchResult;
  /** The periods the batch's priced events went into; null when an earlier run priced them (read back then). */
  check: CheckUsageThresholdsCommand | null;
}
