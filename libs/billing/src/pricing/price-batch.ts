import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { IngestBatchesRepository, isUnavailableError, PricingRepository } from '@tollgate/db';
import { CheckUsageThresholds, type CheckUsageThresholdsCommand, type PricedPeriod } from '../alerts/check-usage-thresholds';
import { PlanBook } from './plan-book';
import { priceEvents } from './price-events';
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
    }
  /** It failed PRICE_MAX_ATTEMPTS times in a row the same way: its events are unpriced with the reason. */
  | { outcome: 'quarantined'; events: number; error: string };

/**
 * Prices one ingest batch; running it twice, or on two workers at once, changes nothing the second time.
 * A failure is counted in Postgres and thrown (the queue retries it), until the batch has failed the same way
 * PRICE_MAX_ATTEMPTS times in a row: then it is quarantined, never retried on its own again, and never in the
 * way of other batches. An outage of Postgres is not the batch's failure and is never counted.
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
    let priced: Priced;
    try {
      priced = await this.price(batchId);
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

  private async price(batchId: string): Promise<Priced> {
    const events = await this.pricing.eventsToPrice(batchId);
    if (events.length === 0) {
      await this.pricing.closeBatch(batchId);
      return { result: { outcome: 'priced', priced: 0, unpriced: 0, alreadyPriced: 0 }, check: null };
    }
    // An override that just re-opened these events must be in force here, not only after the next poll.
    await this.rates.refresh();
    const organizationId = events[0].organization_id;
    const customers = await this.pricing.customers([...new Set(events.map((e) => e.customer_id))]);
    const plans = await this.plans.forCodes(organizationId, [...new Set([...customers.values()].map((c) => c.plan_code))]);
    const rows = priceEvents(events, customers, plans, this.rates);
    const written = await this.pricing.writePriced(batchId, rows);
    if (this.metrics) {
      const now = Date.now();
      const lags: number[] = [];
      // Each newly priced event once: if another run priced some of them, their lag was its to count.
      if (written.priced + written.unpriced === rows.length) {
        for (let i = 0; i < rows.length; i++) if (rows[i].status === 'priced') lags.push((now - events[i].received_at.getTime()) / 1000);
      }
      this.metrics.batchPriced(written.priced, written.unpriced, lags);
    }
    const periods = new Map<string, PricedPeriod>();
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r.status === 'priced')
        periods.set(`${events[i].customer_id}/${r.periodStart!.getTime()}`, {
          customerId: events[i].customer_id,
          periodStart: r.periodStart!,
          periodEnd: r.periodEnd!,
        });
    }
    return {
      result: { outcome: 'priced', ...written, alreadyPriced: rows.length - written.priced - written.unpriced },
      check: { organizationId, periods: [...periods.values()] },
    };
  }
}

interface Priced {
  result: PriceBatchResult;
  /** The periods the batch's priced events went into; null when an earlier run priced them (read back then). */
  check: CheckUsageThresholdsCommand | null;
}
