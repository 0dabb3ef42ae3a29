import { Decimal } from '@tollgate/money';
import { billingPeriod, IncompletePriceSheetError, providerCostTotal } from '@tollgate/pricing';
import type { CustomerPricingRow, EventToPriceRow, PricedRow } from '@tollgate/db';
import { periodInterval, type PlanVersion, versionForPeriod } from './plan-book';
import type { RateLookup } from './rate-lookup';

/** Why an event sent with `status: "usage_unknown"` stays unpriced: its cost is unknown, never zero. */
export const USAGE_UNKNOWN_REASON = "usage unknown: the SDK could not read the provider's usage for this call (status usage_unknown)";

export function unpricedRow(id: string, reason: string): PricedRow {
  return {
    id,
    status: 'unpriced',
    reason,
    providerCost: null,
    ratedAmount: null,
    rateCardId: null,
    charge: null,
    planVersionId: null,
    periodStart: null,
    periodEnd: null,
  };
}

/**
 * Prices a batch's events: the rate card version in force at each event's time, the customer's plan version
 * in force for the event's billing period. Exact and unrounded. An event that cannot be priced is `unpriced`
 * with the reason, never dropped; so is one whose usage the SDK could not read (never priced at zero).
 */
export function priceEvents(
  events: readonly EventToPriceRow[],
  customers: ReadonlyMap<string, CustomerPricingRow>,
  plans: ReadonlyMap<string, readonly PlanVersion[]>,
  rates: RateLookup,
): PricedRow[] {
  const out: PricedRow[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.status === 'usage_unknown') {
      out[i] = unpricedRow(e.id, USAGE_UNKNOWN_REASON);
      continue;
    }
    const customer = customers.get(e.customer_id);
    const versions = customer ? plans.get(customer.plan_code) : undefined;
    if (!customer || !versions || versions.length === 0) {
      out[i] = unpricedRow(e.id, `the customer's plan "${customer?.plan_code ?? '?'}" does not exist`);
      continue;
    }
    const at = e.occurred_at.getTime();
    const period = billingPeriod(at, customer.billing_anchor, periodInterval(versions));
    const version = versionForPeriod(versions, period.end.getTime())!;

    const rate = rates.lookup(e.organization_id, e.provider, e.model, at);
    let rateCardCost: Decimal | null = null;
    let reason = rate.ok ? null : rate.reason;
    if (rate.ok) {
      try {
        rateCardCost = new Decimal(providerCostTotal(e.usage, rate.version));
      } catch (err) {
        if (!(err instanceof IncompletePriceSheetError)) throw err;
        reason = `rate card ${rate.version.provider}/${rate.version.model}: ${err.message}`;
      }
    }
    const priced = version.price({
      model: e.model,
      usage: e.usage,
      rateCardCost,
      reportedCost: e.reported_cost === null ? null : new Decimal(e.reported_cost),
    });
    if (priced.status === 'unpriced') {
      out[i] = unpricedRow(e.id, reason ?? 'no rate card and no reported cost');
      continue;
    }
    out[i] = {
      id: e.id,
      status: 'priced',
      reason: null,
      providerCost: priced.provider_cost.toFixed(),
      ratedAmount: priced.rated_amount.toFixed(),
      rateCardId: rate.ok && rateCardCost !== null ? rate.version.id : null,
      charge: priced.charge,
      planVersionId: version.id,
      periodStart: period.start,
      periodEnd: period.end,
    };
  }
  return out;
}
