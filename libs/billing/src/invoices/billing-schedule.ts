import { Injectable } from '@nestjs/common';
import { CustomersRepository, InvoicesRepository, type Tx } from '@tollgate/db';
import { billingPeriod, type BillingInterval } from '@tollgate/pricing';
import { periodInterval, PlanBook } from '../pricing/plan-book';

/**
 * Keeps customers' next close (customers.next_close_at) in step with their periods after a change of plan,
 * anchor or plan interval: no later than the end of the new current period, so no period goes unclosed (a
 * close that comes due early finds its period not over and is only rescheduled).
 */
@Injectable()
export class BillingSchedule {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly customers: CustomersRepository,
    private readonly plans: PlanBook,
  ) {}

  async customerMoved(
    tx: Tx,
    organizationId: string,
    customer: { id: string; plan_code: string; billing_anchor: Date | null },
    now: Date,
  ): Promise<void> {
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code], tx)).get(customer.plan_code) ?? [];
    const end = billingPeriod(now, customer.billing_anchor, periodInterval(versions)).end;
    await this.invoices.closeNoLaterThan(tx, [customer.id], [end]);
  }

  async planChanged(tx: Tx, organizationId: string, planCode: string, interval: BillingInterval, now: Date): Promise<void> {
    const customers = await this.customers.onPlan(organizationId, planCode, tx);
    await this.invoices.closeNoLaterThan(
      tx,
      customers.map((c) => c.id),
      customers.map((c) => billingPeriod(now, c.billing_anchor, interval).end),
    );
  }
}
