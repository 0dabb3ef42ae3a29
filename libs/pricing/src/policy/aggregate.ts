import { Decimal, ZERO } from '@tollgate/money';
import { USAGE_DIMENSIONS, emptyUsage, type Usage } from '../dimensions';

/** Priced usage of one charge in one period: what an invoice's usage line is made from. */
export interface ChargeAggregate {
  readonly charge: string;
  readonly events: bigint;
  /** Σ provider_cost, exact. */
  readonly provider_cost: Decimal;
  /** Σ rated_amount, exact. */
  readonly rated_amount: Decimal;
  readonly tokens: Usage;
}

export interface PricedUsage {
  readonly charge: string;
  readonly provider_cost: Decimal;
  readonly rated_amount: Decimal;
  readonly usage: Usage;
}

function addUsage(a: Usage, b: Usage): Usage {
  const sum = emptyUsage();
  for (const d of USAGE_DIMENSIONS) sum[d] = a[d] + b[d];
  return sum;
}

function sumOf(a: ChargeAggregate, b: ChargeAggregate): ChargeAggregate {
  return {
    charge: a.charge,
    events: a.events + b.events,
    provider_cost: a.provider_cost.plus(b.provider_cost),
    rated_amount: a.rated_amount.plus(b.rated_amount),
    tokens: addUsage(a.tokens, b.tokens),
  };
}

/**
 * Adds aggregates charge by charge. Sums of exact decimals and integers do not depend on order or grouping,
 * so merging per-batch aggregates equals aggregating all events at once. Result sorted by charge name.
 */
export function mergeAggregates(...groups: ReadonlyArray<readonly ChargeAggregate[]>): ChargeAggregate[] {
  const byCharge = new Map<string, ChargeAggregate>();
  for (const group of groups) {
    for (const aggregate of group) {
      const seen = byCharge.get(aggregate.charge);
      byCharge.set(aggregate.charge, seen ? sumOf(seen, aggregate) : aggregate);
    }
  }
  return [...byCharge.values()].sort((a, b) => (a.charge < b.charge ? -1 : a.charge > b.charge ? 1 : 0));
}

/** Folds priced events into per-charge aggregates (one batch's contribution to the period's aggregates). */
export function aggregatePricedEvents(events: Iterable<PricedUsage>): ChargeAggregate[] {
  const byCharge = new Map<string, { events: bigint; cost: Decimal; rated: Decimal; tokens: Usage }>();
  for (const event of events) {
    let acc = byCharge.get(event.charge);
    if (acc === undefined) {
      acc = { events: 0n, cost: ZERO, rated: ZERO, tokens: emptyUsage() };
      byCharge.set(event.charge, acc);
    }
    acc.events += 1n;
    acc.cost = acc.cost.plus(event.provider_cost);
    acc.rated = acc.rated.plus(event.rated_amount);
    for (const d of USAGE_DIMENSIONS) acc.tokens[d] += event.usage[d];
  }
  return mergeAggregates(
    [...byCharge].map(([charge, acc]) => ({
      charge,
      events: acc.events,
      provider_cost: new Decimal(acc.cost),
      rated_amount: new Decimal(acc.rated),
      tokens: acc.tokens,
    })),
  );
}
