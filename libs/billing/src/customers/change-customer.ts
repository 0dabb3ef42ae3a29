import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository, InvoicesRepository, PlansRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { BillingSchedule } from '../invoices/billing-schedule';
import { Repricer } from '../pricing/repricer';
import type { CustomerChanges } from './customer-commands';
import { unknownPlan } from './create-customer';

export interface ChangeCustomerCommand {
  organizationId: string;
  externalId: string;
  changes: CustomerChanges;
}

const sameDay = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/**
 * Changes a customer. NOTE: a new plan or billing anchor bills the customer's whole current period on it
 * (docs/design.md, "Repricing"), cut with the new plan's own interval, and its next close moves with its periods;
 * the change and the repricing it implies commit together or not at all. A discount or a cap applies when the
 * period is invoiced: nothing to reprice.
 */
@Injectable()
export class ChangeCustomer {
  constructor(
    private readonly transactions: Transactions,
    private readonly customers: CustomersRepository,
    private readonly plans: PlansRepository,
    private readonly repricer: Repricer,
    private readonly invoices: InvoicesRepository,
    private readonly schedule: BillingSchedule,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, externalId, changes }: ChangeCustomerCommand): Promise<CustomerRow> {
    const { customer, reopened } = await this.transactions.run(async (tx) => {
      // Before the customer's row: the order invoice computation takes these locks in.
      if (changes.plan_code !== undefined || changes.billing_anchor !== undefined)
        await this.invoices.lockBilling(tx, [organizationId], 'exclusive');
      const before = await this.customers.findForUpdate(organizationId, externalId, tx);
      if (before === null) throw new NotFoundError(`customer "${externalId}" not found`);
      if (changes.plan_code !== undefined && !(await this.plans.exists(organizationId, changes.plan_code, tx)))
        throw unknownPlan(changes.plan_code);
      if (Object.keys(changes).length === 0) return { customer: before, reopened: [] };
      const after = await this.customers.update(before.id, changes, tx);
      const moved = after.plan_code !== before.plan_code || !sameDay(after.billing_anchor, before.billing_anchor);
      if (!moved) return { customer: after, reopened: [] };
      const now = this.clock.now();
      await this.schedule.customerMoved(tx, organizationId, after, now);
      return { customer: after, reopened: await this.repricer.customerMoved(tx, organizationId, after, now) };
    });
    await this.repricer.enqueue(reopened);
    return customer;
  }
}
