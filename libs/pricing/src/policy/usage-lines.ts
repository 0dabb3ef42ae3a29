import type { ChargeAggregate } from './aggregate';
import type { Charge } from './plan';

export interface ChargeUsage {
  readonly charge: Charge;
  readonly aggregate: ChargeAggregate;
}

/**
 * Step 1: one usage line per charge that had usage in the period, in plan order. Usage under a charge the
 * plan does not have is refused: it was priced under another plan version and must be repriced first.
 */
export function usageInPlanOrder(aggregates: readonly ChargeAggregate[], charges: readonly Charge[]): ChargeUsage[] {
  const byName = new Map<string, ChargeAggregate>();
  for (const aggregate of aggregates) {
    if (!charges.some((c) => c.name === aggregate.charge)) {
      throw new Error(`usage for charge "${aggregate.charge}", which the plan does not have`);
    }
    if (byName.has(aggregate.charge)) throw new Error(`two aggregates for charge "${aggregate.charge}"`);
    byName.set(aggregate.charge, aggregate);
  }
  return charges.flatMap((charge) => {
    const aggregate = byName.get(charge.name);
    return aggregate !== undefined && aggregate.events > 0n ? [{ charge, aggregate }] : [];
  });
}
