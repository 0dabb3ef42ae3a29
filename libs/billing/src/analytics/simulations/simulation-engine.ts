import { Decimal, halfAwayFromZero, ZERO } from '@tollgate/money';
import {
  computeInvoice,
  emptyUsage,
  IncompletePriceSheetError,
  providerCost,
  type ChargeAggregate,
  type Coupon,
  type EventPricer,
  type Plan,
  type PriceSheet,
} from '@tollgate/pricing';
import type { BilledPeriodRow, SimulatedEventRow } from '@tollgate/db';
import type { RateLookup } from '../../pricing/rate-lookup';
import { priceFactor, RoutingPicker, type Scenario } from './scenario';

/** Per customer (and currency): what the range's billed periods billed and cost, then and simulated. */
export interface CustomerSimulationJson {
  external_customer_id: string;
  currency: string;
  periods: number;
  events: number;
  /** Events the scenario left without a cost (a routing target with no rate card at the event's time). */
  events_unpriced: number;
  billed_then: string;
  billed_simulated: string;
  cost_then: string;
  cost_simulated: string;
  margin_then: string;
  margin_simulated: string;
  /** margin / billed × 100, to 2 places (half away from zero); null when nothing was billed. */
  margin_percent_then: string | null;
  margin_percent_simulated: string | null;
}

export type TotalsJson = Omit<CustomerSimulationJson, 'external_customer_id' | 'events_unpriced'> & {
  customers: number;
  events_unpriced: number;
};

export interface SimulationResultJson {
  /** One entry per currency billed. */
  totals: TotalsJson[];
  /** Worst simulated margin first. */
  customers: CustomerSimulationJson[];
}

/** The plan a period is simulated on, compiled. */
export interface PeriodPlan {
  plan: Plan;
  price: EventPricer;
}

interface Accumulator {
  events: bigint;
  cost: Decimal;
  rated: Decimal;
}

interface CustomerTotals {
  externalId: string;
  currency: string;
  periods: number;
  events: number;
  unpriced: number;
  billedThen: Decimal;
  billedSimulated: Decimal;
  costThen: Decimal;
  costSimulated: Decimal;
}

// Events are stored as numeric(65,30): an amount with more places was rounded (half away from zero) when it was
// priced, and the invoices summed the stored amounts. The simulation keeps the same places, so that a scenario
// that changes nothing bills exactly what was billed.
const STORED_PLACES = 30;
const stored = (d: Decimal) => (d.decimalPlaces() > STORED_PLACES ? halfAwayFromZero(d, STORED_PLACES) : d);
const NO_TOKENS = emptyUsage();

/**
 * Re-prices billed periods' events under a scenario and bills each period again (docs/design.md "Simulations"),
 * through the pricing code itself: `providerCost` with the rate card version that priced the event (or, for an
 * event a routing shift moved, the target model's card in force at the event's time), the period's plan compiled
 * by `compileEventPricer`, and `computeInvoice` for the period. Feed it periods in order: `beginPeriod`, its
 * events (`price`), `endPeriod`.
 */
export class SimulationEngine {
  private readonly picker: RoutingPicker;
  private readonly customers = new Map<string, CustomerTotals>();
  private period: BilledPeriodRow | null = null;
  private plan: PeriodPlan | null = null;
  private byCharge = new Map<string, Accumulator>();
  private unpriced = 0;
  private readonly growth: Decimal | null;
  eventsDone = 0n;

  constructor(
    private readonly scenario: Scenario,
    private readonly organizationId: string,
    private readonly rateVersions: ReadonlyMap<string, PriceSheet>,
    private readonly rates: Pick<RateLookup, 'lookup'>,
  ) {
    this.picker = new RoutingPicker(scenario.shifts);
    this.growth = scenario.growth.eq(1) ? null : scenario.growth;
  }

  beginPeriod(period: BilledPeriodRow, plan: PeriodPlan): void {
    this.period = period;
    this.plan = plan;
    this.byCharge = new Map();
    this.unpriced = 0;
  }

  price(e: SimulatedEventRow): void {
    const plan = this.plan!;
    this.eventsDone++;
    const shift = this.picker.pick(e.customer_id, e.provider, e.model);
    const provider = shift === null ? e.provider : shift.toProvider;
    const model = shift === null ? e.model : shift.toModel;
    let sheet: PriceSheet | null = null;
    if (shift === null && e.rate_card_id !== null) sheet = this.rateVersions.get(e.rate_card_id) ?? null;
    if (sheet === null) {
      const found = this.rates.lookup(this.organizationId, provider, model, e.occurred_at);
      sheet = found.ok ? found.version : null;
    }
    let rateCardCost: Decimal | null = null;
    if (sheet !== null) {
      try {
        rateCardCost = new Decimal(providerCost(e.usage, sheet).total);
      } catch (err) {
        if (!(err instanceof IncompletePriceSheetError)) throw err;
      }
    }
    // A moved event's reported cost was the other model's: only its rate card prices it.
    let reportedCost = shift === null && e.reported_cost !== null ? new Decimal(e.reported_cost) : null;
    const factor = priceFactor(this.scenario.multipliers, provider, model);
    if (factor !== null) {
      if (rateCardCost !== null) rateCardCost = rateCardCost.times(factor);
      if (reportedCost !== null) reportedCost = reportedCost.times(factor);
    }
    const priced = plan.price({ model, usage: e.usage, rateCardCost, reportedCost });
    if (priced.status === 'unpriced') {
      this.unpriced++;
      return;
    }
    let cost = stored(priced.provider_cost);
    let rated = stored(priced.rated_amount);
    if (this.growth !== null) {
      cost = cost.times(this.growth);
      rated = rated.times(this.growth);
    }
    const acc = this.byCharge.get(priced.charge);
    if (acc === undefined) this.byCharge.set(priced.charge, { events: 1n, cost, rated });
    else {
      acc.events++;
      acc.cost = acc.cost.plus(cost);
      acc.rated = acc.rated.plus(rated);
    }
  }

  /** Bills the period again: its simulated usage through computeInvoice, with the discount and coupons it had. */
  endPeriod(): void {
    const period = this.period!;
    const { plan } = this.plan!;
    const usage: ChargeAggregate[] = [...this.byCharge].map(([charge, a]) => ({
      charge,
      events: a.events,
      provider_cost: a.cost,
      rated_amount: a.rated,
      tokens: NO_TOKENS,
    }));
    const invoice = computeInvoice({
      plan,
      usage,
      late_usage: [],
      discount: this.scenario.discount ?? new Decimal(period.discount),
      coupons: period.coupons.map((c): Coupon =>
        c.kind === 'fixed'
          ? { id: c.id, kind: 'fixed', amount: new Decimal(c.amount!) }
          : { id: c.id, kind: 'percentage', percent: new Decimal(c.percent!) },
      ),
      grants: [],
      as_of: period.finalized_at,
    });
    const key = `${period.customer_id}|${period.currency}`;
    let t = this.customers.get(key);
    if (t === undefined) {
      t = {
        externalId: period.external_customer_id,
        currency: period.currency,
        periods: 0,
        events: 0,
        unpriced: 0,
        billedThen: ZERO,
        billedSimulated: ZERO,
        costThen: ZERO,
        costSimulated: ZERO,
      };
      this.customers.set(key, t);
    }
    t.periods++;
    t.events += Number(period.events);
    t.unpriced += this.unpriced;
    t.billedThen = t.billedThen.plus(period.total);
    t.billedSimulated = t.billedSimulated.plus(invoice.total);
    t.costThen = t.costThen.plus(period.provider_cost);
    t.costSimulated = usage.reduce((s, u) => s.plus(u.provider_cost), t.costSimulated);
    this.period = null;
    this.plan = null;
  }

  result(): SimulationResultJson {
    const customers = [...this.customers.values()].map(customerJson);
    customers.sort(
      (a, b) => new Decimal(a.margin_simulated).cmp(b.margin_simulated) || (a.external_customer_id < b.external_customer_id ? -1 : 1),
    );
    const byCurrency = new Map<string, CustomerTotals & { customers: number }>();
    for (const t of this.customers.values()) {
      const sum = byCurrency.get(t.currency);
      if (sum === undefined) byCurrency.set(t.currency, { ...t, customers: 1 });
      else {
        sum.customers++;
        sum.periods += t.periods;
        sum.events += t.events;
        sum.unpriced += t.unpriced;
        sum.billedThen = sum.billedThen.plus(t.billedThen);
        sum.billedSimulated = sum.billedSimulated.plus(t.billedSimulated);
        sum.costThen = sum.costThen.plus(t.costThen);
        sum.costSimulated = sum.costSimulated.plus(t.costSimulated);
      }
    }
    const totals = [...byCurrency.values()]
      .sort((a, b) => (a.currency < b.currency ? -1 : 1))
      .map((t) => {
        const { external_customer_id: _ignored, ...rest } = customerJson(t);
        return { ...rest, customers: t.customers };
      });
    return { totals, customers };
  }
}

function percent(margin: Decimal, billed: Decimal): string | null {
  return billed.isZero() ? null : halfAwayFromZero(margin.div(billed).times(100), 2).toFixed(2);
}

function customerJson(t: CustomerTotals): CustomerSimulationJson {
  const marginThen = t.billedThen.minus(t.costThen);
  const marginSimulated = t.billedSimulated.minus(t.costSimulated);
  return {
    external_customer_id: t.externalId,
    currency: t.currency,
    periods: t.periods,
    events: t.events,
    events_unpriced: t.unpriced,
    billed_then: t.billedThen.toFixed(),
    billed_simulated: t.billedSimulated.toFixed(),
    cost_then: t.costThen.toFixed(),
    cost_simulated: t.costSimulated.toFixed(),
    margin_then: marginThen.toFixed(),
    margin_simulated: marginSimulated.toFixed(),
    margin_percent_then: percent(marginThen, t.billedThen),
    margin_percent_simulated: percent(marginSimulated, t.billedSimulated),
  };
}
