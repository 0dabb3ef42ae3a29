import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL, PricingRepository } from '@tollgate/db';
import { PlanBook } from './plan-book';
import { priceEvents } from './price-events';
import { RATE_LOOKUP, RateLookup } from './rate-lookup';

export interface PriceBatchResult {
  priced: number;
  unpriced: number;
  /** Events of the batch that another run had priced already. */
  alreadyPriced: number;
}

/** Prices one ingest batch; running it twice, or on two workers at once, changes nothing the second time. */
@Injectable()
export class PriceBatch {
  private readonly repo: PricingRepository;
  private readonly plans: PlanBook;

  constructor(@Inject(DB_POOL) pool: Pool, @Inject(RATE_LOOKUP) private readonly rates: RateLookup) {
    this.repo = new PricingRepository(pool);
    this.plans = new PlanBook(pool);
  }

  async execute(batchId: string): Promise<PriceBatchResult> {
    const events = await this.repo.eventsToPrice(batchId);
    if (events.length === 0) {
      await this.repo.closeBatch(batchId);
      return { priced: 0, unpriced: 0, alreadyPriced: 0 };
    }
    // An override that just re-opened these events must be in force here, not only after the next poll.
    await this.rates.refresh();
    const organizationId = events[0].organization_id;
    const customers = await this.repo.customers([...new Set(events.map((e) => e.customer_id))]);
    const plans = await this.plans.forCodes(organizationId, [...new Set([...customers.values()].map((c) => c.plan_code))]);
    const rows = priceEvents(events, customers, plans, this.rates);
    const written = await this.repo.writePriced(batchId, rows);
    return { ...written, alreadyPriced: rows.length - written.priced - written.unpriced };
  }
}
