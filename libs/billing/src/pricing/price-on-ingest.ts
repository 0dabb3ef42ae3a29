import { Inject, Injectable } from '@nestjs/common';
import { type EventRow, type EventToPriceRow, type InlinePricing, PricingRepository } from '@tollgate/db';
import { emptyUsage, USAGE_DIMENSIONS } from '@tollgate/pricing';
import { PlanBook } from './plan-book';
import { priceEvents } from './price-events';
import { RATE_LOOKUP, type RateLookup } from './rate-lookup';

/**
 * Prices a batch in the api, before it is stored, for `EventsRepository.storePricedBatch` to store it priced in
 * the same statement (docs/design.md, "Pricing as the batch is stored"). The same reads, in the same order, and
 * the same `priceEvents` as the worker's PriceBatch: the organisation's pricing epoch first (with the customers'
 * plans, in one statement), then the rates and the plan versions; the write commits the prices only if that
 * epoch is still the organisation's. Null when any event would not be priced (a missing rate or plan, usage unknown): the batch is
 * then stored pending and the worker prices it, with the reasons, as every other batch.
 */
@Injectable()
export class PriceOnIngest {
  constructor(
    private readonly pricing: PricingRepository,
    private readonly plans: PlanBook,
    @Inject(RATE_LOOKUP) private readonly rates: RateLookup,
  ) {}

  async prepare(organizationId: string, rows: readonly EventRow[]): Promise<InlinePricing | null> {
    const customerIds = [...new Set(rows.map((r) => r.customerId))];
    // The epoch first (with the customers, in the same snapshot), then the rates and the plans.
    const inputs = await this.pricing.pricingInputs(organizationId, customerIds);
    if (inputs === null) return null;
    const { epoch, customers } = inputs;
    await this.rates.refresh();
    const plans = await this.plans.forCodes(organizationId, [...new Set([...customers.values()].map((c) => c.plan_code))]);
    const now = new Date();
    const events: EventToPriceRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const usage = emptyUsage();
      for (let d = 0; d < USAGE_DIMENSIONS.length; d++) usage[USAGE_DIMENSIONS[d]] = BigInt(r.usage[d]);
      events[i] = {
        id: String(i),
        organization_id: organizationId,
        customer_id: r.customerId,
        occurred_at: new Date(r.occurredAt),
        received_at: now,
        provider: r.provider,
        model: r.model,
        reported_cost: r.cost,
        status: r.status,
        usage,
      };
    }
    const priced = priceEvents(events, customers, plans, this.rates);
    const n = priced.length;
    const out = {
      epoch,
      providerCost: new Array<string>(n),
      ratedAmount: new Array<string>(n),
      rateCardId: new Array<string | null>(n),
      charge: new Array<string>(n),
      planVersionId: new Array<string>(n),
      periodStart: new Array<number>(n),
      periods: { customerIds: [] as string[], starts: [] as number[], ends: [] as number[] },
      customerIds,
    };
    const periods = new Set<string>();
    for (let i = 0; i < n; i++) {
      const p = priced[i];
      if (p.status !== 'priced') return null;
      out.providerCost[i] = p.providerCost!;
      out.ratedAmount[i] = p.ratedAmount!;
      out.rateCardId[i] = p.rateCardId;
      out.charge[i] = p.charge!;
      out.planVersionId[i] = p.planVersionId!;
      const start = p.periodStart!.getTime();
      out.periodStart[i] = start;
      const key = `${rows[i].customerId}/${start}`;
      if (!periods.has(key)) {
        periods.add(key);
        out.periods.customerIds.push(rows[i].customerId);
        out.periods.starts.push(start);
        out.periods.ends.push(p.periodEnd!.getTime());
      }
    }
    return out;
  }
}
