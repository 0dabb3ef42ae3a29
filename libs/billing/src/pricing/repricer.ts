import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL, PricingRepository } from '@tollgate/db';
import { billingPeriod, BillingInterval } from '@tollgate/pricing';
import { PriceQueue } from './price-queue';

/**
 * Re-prices unfinalized usage after a change of policy (README "Repricing"). The events go back to pending,
 * their amounts leave the aggregates in the same transaction, and their batches are priced again.
 */
@Injectable()
export class Repricer {
  private readonly repo: PricingRepository;

  constructor(@Inject(DB_POOL) pool: Pool, private readonly queue: PriceQueue) {
    this.repo = new PricingRepository(pool);
  }

  /** A new plan version bills whole periods: every customer on the plan is repriced from the period containing `at`. */
  async planChanged(organizationId: string, planCode: string, at: Date, interval: BillingInterval = 'month'): Promise<number> {
    const customers = await this.repo.customersOnPlan(organizationId, planCode);
    const since = customers.map((c) => billingPeriod(at, c.billing_anchor, interval).start);
    return this.enqueue(await this.repo.resetCustomers(organizationId, customers.map((c) => c.id), since));
  }

  /** A customer moved to another plan (or anchor) is billed on it for the whole current period. */
  async customerChanged(organizationId: string, customerId: string, anchor: Date | null, interval: BillingInterval = 'month'): Promise<number> {
    const since = billingPeriod(Date.now(), anchor, interval).start;
    return this.enqueue(await this.repo.resetCustomers(organizationId, [customerId], [since]));
  }

  /** Negotiated prices win from their effective_from: the organisation's usage of that model since then. */
  async overrideAdded(organizationId: string, provider: string, model: string, effectiveFrom: Date): Promise<number> {
    return this.enqueue(await this.repo.resetModel(organizationId, provider, model, effectiveFrom));
  }

  private async enqueue(batchIds: string[]): Promise<number> {
    // The reset is committed; if Redis is down the sweeper finds these batches (priced_at is null again).
    await this.queue.enqueue(batchIds).catch(() => undefined);
    return batchIds.length;
  }
}
