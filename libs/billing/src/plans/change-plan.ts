import { Injectable } from '@nestjs/common';
import { InvoicesRepository, isUniqueViolation, PlansRepository, PlanVersionRow, Transactions } from '@tollgate/db';
import type { PlanInput } from '@tollgate/pricing';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { BillingSchedule } from '../invoices/billing-schedule';
import { Repricer } from '../pricing/repricer';
import { planDefinition } from './plan-definition';

export interface ChangePlanCommand {
  organizationId: string;
  code: string;
  /** The plan as sent, its shape checked (its meaning is checked here); its code is `code`. */
  plan: PlanInput;
  /** Default: now. */
  effectiveFrom?: Date;
}

// Two changes of one plan at once: the second's version number is taken; it tries again on the new latest.
const ATTEMPTS = 3;

/**
 * A plan's next version. NOTE: a version bills whole periods, so every customer on the plan is repriced from
 * the period containing effective_from (cut with the new version's interval), in the transaction that adds it,
 * except periods an invoice has billed; their next close follows the new interval.
 */
@Injectable()
export class ChangePlan {
  constructor(
    private readonly transactions: Transactions,
    private readonly plans: PlansRepository,
    private readonly repricer: Repricer,
    private readonly schedule: BillingSchedule,
    private readonly invoices: InvoicesRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, code, plan, effectiveFrom }: ChangePlanCommand): Promise<PlanVersionRow> {
    const { plan: valid, definition } = planDefinition(plan);
    const now = this.clock.now();
    const at = effectiveFrom ?? now;
    for (let attempt = 1; ; attempt++) {
      try {
        const { row, reopened } = await this.transactions.run(async (tx) => {
          // Before any customer row (the schedule update): the order invoice computation takes these locks in.
          await this.invoices.lockBilling(tx, [organizationId], 'exclusive');
          const added = await this.plans.addNext(organizationId, code, definition, at, tx);
          if (added === null) throw new NotFoundError(`plan "${code}" not found`);
          await this.schedule.planChanged(tx, organizationId, code, valid.interval, now);
          return { row: added, reopened: await this.repricer.planChanged(tx, organizationId, code, at, valid.interval) };
        });
        await this.repricer.enqueue(reopened);
        return row;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
