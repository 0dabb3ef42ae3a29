import type { Decimal } from '@tollgate/money';
import type { Usage } from '../dimensions';
import { eventProviderCost } from './event-provider-cost';
import { compileChargeMatcher } from './match-charge';
import type { Plan } from './plan';
import { ratePriceMode } from './rate-price-mode';
import { rateTokenMode, tokenUnitPrices } from './rate-token-mode';

export interface EventToPrice {
  /** As sent by the product: matched against the charges' patterns. */
  readonly model: string;
  readonly usage: Usage;
  /** Cost from the rate card in force at the event's time (libs/pricing/src/cost), or null when there is none. */
  readonly rateCardCost: Decimal | null;
  /** The provider-reported cost carried by the event, if any. */
  readonly reportedCost: Decimal | null;
}

export type EventPricing =
  | { readonly status: 'priced'; readonly charge: string; readonly provider_cost: Decimal; readonly rated_amount: Decimal }
  | { readonly status: 'unpriced'; readonly reason: 'no_rate' };

/** Prices events under one plan version: exact, unrounded, linear in the usage. */
export type EventPricer = (event: EventToPrice) => EventPricing;

/** Compiles a plan once (patterns, unit prices); the result prices any number of events. */
export function compileEventPricer(plan: Plan): EventPricer {
  const match = compileChargeMatcher(plan.charges);
  const rate = plan.charges.map((charge) => {
    if (charge.mode === 'price') return (_usage: Usage, cost: Decimal) => ratePriceMode(cost, charge.markup);
    const prices = tokenUnitPrices(charge.token_prices);
    return (usage: Usage) => rateTokenMode(usage, prices);
  });
  return (event) => {
    const cost = eventProviderCost(plan.cost_source, event.rateCardCost, event.reportedCost);
    // Token mode needs no cost to rate, but the margin floor and the margin report do: wait for a rate.
    if (cost === null) return { status: 'unpriced', reason: 'no_rate' };
    const index = match(event.model);
    if (index < 0) throw new Error(`plan "${plan.code}" has no charge matching model "${event.model}"`);
    return {
      status: 'priced',
      charge: plan.charges[index].name,
      provider_cost: cost,
      rated_amount: rate[index](event.usage, cost),
    };
  };
}
