import { Decimal } from '@tollgate/money';
import { emptyUsage, type Usage } from '../../dimensions';
import type { ChargeAggregate } from '../aggregate';

export function aggregate(
  charge: string,
  providerCost: string,
  ratedAmount: string,
  tokens: Partial<Usage> = {},
  events = 1n,
): ChargeAggregate {
  return {
    charge,
    events,
    provider_cost: new Decimal(providerCost),
    rated_amount: new Decimal(ratedAmount),
    tokens: { ...emptyUsage(), ...tokens },
  };
}
