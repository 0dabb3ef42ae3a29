import { Injectable } from '@nestjs/common';
import { UsageGroupBy, UsageRepository } from '@tollgate/db';
import { Decimal, ZERO } from '@tollgate/money';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { CurrentPeriod } from './customer-period';

export interface CustomerUsageQuery {
  organizationId: string;
  externalId: string;
  groupBy: UsageGroupBy;
  /** Default: the customer's current period. */
  from?: Date;
  to?: Date;
}

const dec = (v: Decimal) => v.toFixed();
const tokensJson = (t: Record<UsageDimension, string | bigint>) => Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, Number(t[d])]));

/** Live priced usage, grouped, with the range's pending and unpriced events (docs/api.md, "Usage, preview, entitlement"). */
@Injectable()
export class GetCustomerUsage {
  constructor(
    private readonly current: CurrentPeriod,
    private readonly usage: UsageRepository,
  ) {}

  async execute({ organizationId, externalId, groupBy, from, to }: CustomerUsageQuery) {
    const { customer, period } = await this.current.of(organizationId, externalId);
    const start = from ?? period.start;
    const end = to ?? period.end;
    const [groups, notPriced] = await Promise.all([
      this.usage.groups(customer.id, start, end, groupBy),
      this.usage.notPriced(customer.id, start, end),
    ]);
    let events = 0n;
    let providerCost = ZERO;
    let ratedAmount = ZERO;
    const tokens = Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, 0n])) as Record<UsageDimension, bigint>;
    for (const g of groups) {
      events += BigInt(g.events);
      providerCost = providerCost.plus(g.provider_cost);
      ratedAmount = ratedAmount.plus(g.rated_amount);
      for (const d of USAGE_DIMENSIONS) tokens[d] += BigInt(g.tokens[d]);
    }
    return {
      from: start.toISOString(),
      to: end.toISOString(),
      group_by: groupBy,
      groups: groups.map((g) => ({
        key: g.key,
        events: Number(g.events),
        provider_cost: dec(new Decimal(g.provider_cost)),
        rated_amount: dec(new Decimal(g.rated_amount)),
        tokens: tokensJson(g.tokens),
      })),
      totals: {
        events: Number(events),
        provider_cost: dec(providerCost),
        rated_amount: dec(ratedAmount),
        tokens: tokensJson(tokens),
        pending_events: notPriced.pending,
        unpriced_events: notPriced.unpriced,
      },
    };
  }
}
