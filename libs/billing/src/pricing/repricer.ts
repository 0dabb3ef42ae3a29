import { Injectable, Logger } from '@nestjs/common';
import { CustomersRepository, PricingRepository, type Tx } from '@tollgate/db';
import { billingPeriod, type BillingInterval } from '@tollgate/pricing';
import { periodInterval, PlanBook } from './plan-book';
import { PriceQueue } from './price-queue';

/**
 * Re-prices unfinalized usage after a change of policy (docs/design.md, "Repricing"). Inside the caller's
 * transaction the events go back to pending and their amounts leave the aggregates, together with the change
 * itself; after the commit their batches are priced again.
 */
@Injectable()
export class Repricer {
  private readonly logger = new Logger('repricing');

  constructor(
    private readonly pricing: PricingRepository,
    private readonly customers: CustomersRepository,
    private readonly plans: PlanBook,
    private readonly queue: PriceQueue,
  ) {}

  /** A new plan version bills whole periods: every customer on the plan is repriced from the period containing `at`. */
  async planChanged(tx: Tx, organizationId: string, planCode: string, at: Date, interval: BillingInterval): Promise<string[]> {
    const customers = await this.customers.onPlan(organizationId, planCode, tx);
    const since = customers.map((c) => billingPeriod(at, c.billing_anchor, interval).start);
    return this.pricing.resetCustomers(
      tx,
      organizationId,
      customers.map((c) => c.id),
      since,
    );
  }

  /**
   * A customer moved to another plan (or anchor) is billed on it for the whole current period, cut with the
   * interval of that plan (a yearly plan's period is the year: every month of it is repriced).
   */
  async customerMoved(
    tx: Tx,
    organizationId: string,
    customer: { id: string; plan_code: string; billing_anchor: Date | null },
    now = new Date(),
  ): Promise<string[]> {
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code], tx)).get(customer.plan_code) ?? [];
    const since = billingPeriod(now, customer.billing_anchor, periodInterval(versions)).start;
    return this.pricing.resetCustomers(tx, organizationId, [customer.id], [since]);
  }

  /** Negotiated prices win from their effective_from: the organisation's usage of that model since then. */
  overrideAdded(tx: Tx, organizationId: string, provider: string, model: string, effectiveFrom: Date): Promise<string[]> {
    return this.pricing.resetModel(tx, organizationId, provider, model, effectiveFrom);
  }

  /** After the commit. If Redis is down the sweeper finds these batches (their priced_at is null again). */
  async enqueue(batchIds: readonly string[]): Promise<void> {
    await this.queue
      .enqueue(batchIds)
      .catch((err: Error) =>
        this.logger.warn({ msg: 'could not enqueue repricing; the sweeper will', batches: batchIds.length, err: err.message }),
      );
  }
}
