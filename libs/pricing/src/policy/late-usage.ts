import type { ChargeAggregate } from './aggregate';
import type { Plan } from './plan';
import { usageInPlanOrder, type ChargeUsage } from './usage-lines';

/** Events of an already finalized period, priced at their own time under the plan version then in force. */
export interface LateUsage {
  readonly period_start: Date;
  /** The plan version that priced them: its charges' floors apply to these lines. */
  readonly plan: Plan;
  readonly usage: readonly ChargeAggregate[];
}

export interface LateChargeUsage extends ChargeUsage {
  readonly periodStart: Date;
}

/** Late-usage lines: oldest period first, then that plan's charge order, one line per charge per period. */
export function lateUsageInOrder(late: readonly LateUsage[], currency: string): LateChargeUsage[] {
  return [...late]
    .sort((a, b) => a.period_start.getTime() - b.period_start.getTime())
    .flatMap((period) => {
      if (period.plan.currency !== currency) {
        throw new Error(`late usage in ${period.plan.currency} cannot go on a ${currency} invoice`);
      }
      return usageInPlanOrder(period.usage, period.plan.charges).map((u) => ({ ...u, periodStart: period.period_start }));
    });
}
