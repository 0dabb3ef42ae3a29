import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions } from '@tollgate/db';
import { billingPeriod } from '@tollgate/pricing';
import { Clock } from '../clock';
import { ConflictError, InvalidCommandError, NotFoundError } from '../errors';
import { periodInterval, PlanBook } from '../pricing/plan-book';
import { InvoiceReader } from './invoice-reader';
import { InvoiceSettler } from './invoice-settler';
import type { InvoiceView } from './invoice-view';

export interface CloseCustomerPeriodCommand {
  organizationId: string;
  externalId: string;
  /** Default: now. Not in the future. */
  periodEnd?: Date;
}

/**
 * POST /v1/customers/{id}/invoices/close (docs/design.md "Invoices"): closes the customer's current period at
 * `periodEnd` and returns its invoice, finalized at once when the plan has no grace period and needs no
 * approval, else a draft. Periods that ended before and were not closed yet (no worker ran) are closed first,
 * as the billing cycle would have. The invoice bills the period's events before `periodEnd`; the period's later
 * usage is late usage on the next invoice, and the next period is the customer's next natural one. Closing a
 * period that has an invoice returns that invoice: two closes make one invoice. A period with nothing to bill
 * is not closed (409 nothing_to_bill).
 */
@Injectable()
export class CloseCustomerPeriod {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly settler: InvoiceSettler,
    private readonly reader: InvoiceReader,
    private readonly plans: PlanBook,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, externalId, periodEnd }: CloseCustomerPeriodCommand): Promise<InvoiceView> {
    const now = this.clock.now();
    const end = periodEnd ?? now;
    if (end.getTime() > now.getTime()) {
      throw new InvalidCommandError('period_end must not be in the future', [{ field: 'period_end', message: 'is after now' }]);
    }
    const { id, settled } = await this.transactions.run(async (tx) => {
      await this.invoices.lockBilling(tx, [organizationId], 'shared');
      let customer = await this.invoices.lockCustomer(tx, organizationId, externalId);
      if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
      const created: string[] = [];
      // Catch up: each close moves the schedule on by one period (or only reschedules a stale one).
      for (;;) {
        const scheduled = customer.next_close_at;
        if (scheduled !== null && scheduled.getTime() > now.getTime()) break;
        const r = await this.settler.close(tx, [customer], now);
        created.push(...r.created);
        customer = { ...customer, next_close_at: r.nextCloseAt.get(customer.id)! };
      }
      // Only the current period closes early: an earlier one is closed already (or had nothing to bill).
      const versions = (await this.plans.forCodes(organizationId, [customer.plan_code], tx)).get(customer.plan_code) ?? [];
      const current = billingPeriod(now, customer.billing_anchor, periodInterval(versions));
      if (end.getTime() <= current.start.getTime()) {
        throw new InvalidCommandError(`period_end must be within the current period, after ${current.start.toISOString()}`, [
          { field: 'period_end', message: 'is before the current period' },
        ]);
      }
      const r = await this.settler.close(tx, [customer], now, end);
      created.push(...r.created);
      const settled = await this.settler.settle(tx, await this.invoices.lockInvoices(tx, created), now);
      const period = r.periods.get(customer.id);
      if (!period) throw new NotFoundError(`customer "${externalId}" has no plan to bill its period with`);
      const invoice = await this.invoices.periodInvoice(tx, customer.id, period.start);
      // Nothing to bill (no usage, no fee): no invoice, and this close is undone with the rest.
      if (!invoice)
        throw new ConflictError(
          'nothing_to_bill',
          `the period of customer "${externalId}" from ${period.start.toISOString()} has nothing to bill`,
        );
      return { id: invoice.id, settled };
    });
    await this.settler.afterCommit(settled);
    const row = await this.invoices.find(this.invoices.reader, organizationId, id);
    return (await this.reader.views([row!]))[0];
  }
}
