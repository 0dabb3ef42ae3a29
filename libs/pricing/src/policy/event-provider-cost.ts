import type { Decimal } from '@tollgate/money';
import type { CostSource } from './plan';

/**
 * The provider cost an event is billed on. `rate_card`: the cost from the rate card in force at the event's
 * time. `reported`: the cost the provider reported (e.g. OpenRouter's usage.cost) where the event carries
 * one, else the rate card's. null: no cost yet (no rate): the event waits, unpriced, for a rate.
 */
export function eventProviderCost(source: CostSource, rateCardCost: Decimal | null, reportedCost: Decimal | null): Decimal | null {
  if (source === 'reported' && reportedCost !== null) return reportedCost;
  return rateCardCost;
}
