import { Decimal, halfAwayFromZero, ZERO } from '@tollgate/money';
import {
  computeInvoice,
  emptyUsage,
  IncompletePriceSheetError,
  promptSize,
  providerCost,
  selectTier,
  USAGE_DIMENSIONS,
  type ChargeAggregate,
  type Coupon,
  type EventPricer,
  type Plan,
  type PriceSheet,
  type Usage,
} from '@tollgate/pricing';
import { pgTimestampMs, type BilledPeriodRow, type MovedEventsRow, type SimulatedEventRow, type SummedEventsRow } from '@tollgate/db';
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
// priced, and the invoices summed the stored amounts. An event priced alone (its reported cost) keeps the same places.
const STORED_PLACES = 30;
const stored = (d: Decimal) => (d.decimalPlaces() > STORED_PLACES ? halfAwayFromZero(d, STORED_PLACES) : d);
const NO_TOKENS = emptyUsage();
/** Read once (a re-exported binding is a getter). */
const DIMENSIONS = USAGE_DIMENSIONS;
const DIMS = DIMENSIONS.length;
const MASKS = 1 << DIMS;

/**
 * Events of one period priced by one rate card at one tier (the card's base prices or one tier's), for one
 * provider and model, with the same usage dimensions non-zero: their usage summed. The provider cost is linear in
 * the usage at a given tier (Σ quantity × unit price), and so is the rated amount (price mode: cost × (1 + markup);
 * token mode: Σ quantity × token price), so pricing the sum once equals pricing each event and adding: the sum is
 * priced through the same functions (providerCost on the tier's merged prices, the plan's compiled pricer). Events
 * with the same non-zero dimensions share a group, so a card lacking a price for one refuses exactly the events that
 * used it. The sums are kept exact in two parts: a float sum while it stays a safe integer (most events), and a
 * bigint the rest goes to (a count too long for a float, or a sum that would pass 2^53).
 */
interface CardGroup {
  readonly sheet: PriceSheet;
  readonly provider: string;
  readonly model: string;
  readonly small: number[];
  readonly big: bigint[];
  events: number;
}

/** The groups of one rate card version in a period: per provider and model as the events name them, then per tier and dimensions. */
interface CardGroups {
  readonly provider: string;
  readonly model: string;
  readonly byTierAndMask: Map<number, CardGroup>;
}

interface PeriodState {
  readonly period: BilledPeriodRow;
  readonly plan: PeriodPlan;
  readonly byCharge: Map<string, Accumulator>;
  readonly groups: Map<string, CardGroups[]>;
  unpriced: number;
}

/** An event's usage (its token columns as text) as the pricing code takes it. */
function usageOf(tokens: readonly string[]): Usage {
  const usage = emptyUsage();
  for (let d = 0; d < DIMS; d++) if (tokens[d] !== '0') usage[DIMENSIONS[d]] = BigInt(tokens[d]);
  return usage;
}

function groupUsage(g: CardGroup): Usage {
  const usage = emptyUsage();
  for (let d = 0; d < DIMS; d++) usage[DIMENSIONS[d]] = g.big[d] + BigInt(g.small[d]);
  return usage;
}

/** A card's prices at one tier as a sheet of its own (no tiers): what providerCost uses for a request of that tier. */
function tierSheet(sheet: PriceSheet, tier: ReturnType<typeof selectTier>): PriceSheet {
  return tier === null ? { prices: sheet.prices, tiers: [] } : { prices: { ...sheet.prices, ...tier.prices }, tiers: [] };
}

/**
 * Re-prices billed periods' events under a scenario and bills each period again (docs/design.md "Simulations"),
 * through the pricing code itself: `providerCost` with the rate card version that priced the event (or, for an
 * event a routing shift moved, the target model's card in force at the event's time), the period's plan compiled
 * by `compileEventPricer`, and `computeInvoice` for the period. Events come in any order of periods (`price`), each
 * added to its period; `result` bills every period.
 */
export class SimulationEngine {
  private readonly picker: RoutingPicker;
  /** Per customer id, per period start (as Postgres writes it). */
  private readonly periods = new Map<string, Map<string, PeriodState>>();
  private readonly growth: Decimal | null;
  eventsDone = 0n;

  constructor(
    private readonly scenario: Scenario,
    private readonly organizationId: string,
    private readonly rateVersions: ReadonlyMap<string, PriceSheet>,
    private readonly rates: Pick<RateLookup, 'lookup'>,
    periods: readonly { period: BilledPeriodRow; plan: PeriodPlan }[],
  ) {
    this.picker = new RoutingPicker(scenario.shifts);
    this.growth = scenario.growth.eq(1) ? null : scenario.growth;
    for (const { period, plan } of periods) {
      let ofCustomer = this.periods.get(period.customer_id);
      if (ofCustomer === undefined) this.periods.set(period.customer_id, (ofCustomer = new Map()));
      ofCustomer.set(period.period_key, { period, plan, byCharge: new Map(), groups: new Map(), unpriced: 0 });
    }
  }

  /** Adds an event to its billed period; false (and nothing done) for an event of a period the range did not bill. */
  price(e: SimulatedEventRow): boolean {
    const state = this.periods.get(e.customer_id)?.get(e.period_start);
    if (state === undefined) return false;
    this.eventsDone++;
    const shift =
      e.shift === undefined
        ? this.picker.pick(e.customer_id, e.provider, e.model)
        : e.shift === null
          ? null
          : this.scenario.shifts[e.shift];
    const provider = shift === null ? e.provider : shift.toProvider;
    const model = shift === null ? e.model : shift.toModel;
    // Its own reported cost prices it (cost_source "reported"): one at a time. A moved event's reported cost was the
    // other model's: only its rate card prices it.
    if (shift === null && e.reported_cost !== null && state.plan.plan.cost_source === 'reported') {
      this.priceReported(state, e, provider, model);
      return true;
    }
    let sheetId: string | null = shift === null ? e.rate_card_id : null;
    let sheet: PriceSheet | null = sheetId === null ? null : (this.rateVersions.get(sheetId) ?? null);
    if (sheet === null) {
      const found = this.rates.lookup(this.organizationId, provider, model, pgTimestampMs(e.occurred_at));
      if (!found.ok) {
        state.unpriced++;
        return true;
      }
      sheet = found.version;
      sheetId = found.version.id;
    }
    const tier = sheet.tiers.length === 0 ? null : selectTier(sheet.tiers, promptSize(usageOf(e.tokens)));
    let mask = 0;
    for (let d = 0; d < DIMS; d++) if (e.tokens[d] !== '0') mask |= 1 << d;
    this.addToGroup(state, sheetId!, sheet, tier, provider, model, mask, e.tokens, 1);
    return true;
  }

  /**
   * Adds events Postgres summed (SummedEventsRow: one card version without tiers, no reported cost, a model no
   * shift moves) to their billed period's card group, as their events one by one would have been; false for a
   * period the range did not bill.
   */
  priceSum(row: SummedEventsRow): boolean {
    const state = this.periods.get(row.customer_id)?.get(row.period_start);
    if (state === undefined) return false;
    const events = Number(row.events);
    this.eventsDone += BigInt(events);
    const sheet = this.rateVersions.get(row.rate_card_id);
    if (sheet === undefined) throw new Error(`rate card version ${row.rate_card_id} of priced events is missing`);
    if (sheet.tiers.length > 0) throw new Error(`rate card version ${row.rate_card_id} has tiers: its events cannot be summed`);
    this.addToGroup(state, row.rate_card_id, sheet, null, row.provider, row.model, row.mask, row.tokens, events);
    return true;
  }

  /**
   * Adds events a routing shift moved, picked and summed by Postgres (MovedEventsRow), to their billed period's
   * group of the target card in force at their time, as each moved event would have been; false for a period the
   * range did not bill.
   */
  priceMoved(row: MovedEventsRow): boolean {
    const state = this.periods.get(row.customer_id)?.get(row.period_start);
    if (state === undefined) return false;
    const events = Number(row.events);
    this.eventsDone += BigInt(events);
    const shift = this.scenario.shifts[row.shift];
    const found = this.rates.lookup(this.organizationId, shift.toProvider, shift.toModel, pgTimestampMs(row.at));
    if (!found.ok) {
      state.unpriced += events;
      return true;
    }
    if (found.version.tiers.length > 0) throw new Error(`rate card version ${found.version.id} has tiers: moved events cannot be summed`);
    this.addToGroup(state, found.version.id, found.version, null, shift.toProvider, shift.toModel, row.mask, row.tokens, events);
    return true;
  }

  private addToGroup(
    state: PeriodState,
    sheetId: string,
    sheet: PriceSheet,
    tier: ReturnType<typeof selectTier>,
    provider: string,
    model: string,
    mask: number,
    tokens: readonly string[],
    events: number,
  ): void {
    let cards = state.groups.get(sheetId);
    if (cards === undefined) state.groups.set(sheetId, (cards = []));
    let card: CardGroups | undefined;
    for (let i = 0; i < cards.length; i++) if (cards[i].provider === provider && cards[i].model === model) card = cards[i];
    if (card === undefined) cards.push((card = { provider, model, byTierAndMask: new Map() }));
    const key = (tier === null ? 0 : sheet.tiers.indexOf(tier) + 1) * MASKS + mask;
    let group = card.byTierAndMask.get(key);
    if (group === undefined) {
      group = {
        sheet: tierSheet(sheet, tier),
        provider,
        model,
        small: new Array<number>(DIMS).fill(0),
        big: new Array<bigint>(DIMS).fill(0n),
        events: 0,
      };
      card.byTierAndMask.set(key, group);
    }
    group.events += events;
    const { small } = group;
    for (let d = 0; d < DIMS; d++) {
      const v = tokens[d];
      if (v === '0') continue;
      if (v.length < 16) {
        const sum = small[d] + +v;
        if (sum <= Number.MAX_SAFE_INTEGER && sum >= -Number.MAX_SAFE_INTEGER) {
          small[d] = sum;
          continue;
        }
      }
      group.big[d] += BigInt(v);
    }
  }

  private priceReported(state: PeriodState, e: SimulatedEventRow, provider: string, model: string): void {
    let reportedCost = new Decimal(e.reported_cost!);
    const factor = priceFactor(this.scenario.multipliers, provider, model);
    if (factor !== null) reportedCost = reportedCost.times(factor);
    const priced = state.plan.price({ model, usage: usageOf(e.tokens), rateCardCost: null, reportedCost });
    if (priced.status === 'unpriced') {
      state.unpriced++;
      return;
    }
    this.add(state, priced.charge, 1n, stored(priced.provider_cost), stored(priced.rated_amount));
  }

  /** Prices a period's card groups (each sum once, through the same functions as an event). */
  private priceGroups(state: PeriodState): void {
    for (const cards of state.groups.values())
      for (const card of cards)
        for (const g of card.byTierAndMask.values()) {
          const usage = groupUsage(g);
          let cost: Decimal;
          try {
            cost = new Decimal(providerCost(usage, g.sheet).total);
          } catch (err) {
            if (!(err instanceof IncompletePriceSheetError)) throw err;
            state.unpriced += g.events;
            continue;
          }
          const factor = priceFactor(this.scenario.multipliers, g.provider, g.model);
          if (factor !== null) cost = cost.times(factor);
          const priced = state.plan.price({ model: g.model, usage, rateCardCost: cost, reportedCost: null });
          if (priced.status === 'unpriced') {
            state.unpriced += g.events;
            continue;
          }
          this.add(state, priced.charge, BigInt(g.events), priced.provider_cost, priced.rated_amount);
        }
    state.groups.clear();
  }

  private add(state: PeriodState, charge: string, events: bigint, cost: Decimal, rated: Decimal): void {
    if (this.growth !== null) {
      cost = cost.times(this.growth);
      rated = rated.times(this.growth);
    }
    const acc = state.byCharge.get(charge);
    if (acc === undefined) state.byCharge.set(charge, { events, cost, rated });
    else {
      acc.events += events;
      acc.cost = acc.cost.plus(cost);
      acc.rated = acc.rated.plus(rated);
    }
  }

  /** Bills every period again (its simulated usage through computeInvoice, with the discount and coupons it had) and sums per customer. */
  result(): SimulationResultJson {
    const totalsOf = new Map<string, CustomerTotals>();
    for (const state of [...this.periods.values()].flatMap((m) => [...m.values()])) {
      this.priceGroups(state);
      const { period } = state;
      const usage: ChargeAggregate[] = [...state.byCharge].map(([charge, a]) => ({
        charge,
        events: a.events,
        provider_cost: a.cost,
        rated_amount: a.rated,
        tokens: NO_TOKENS,
      }));
      const invoice = computeInvoice({
        plan: state.plan.plan,
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
      let t = totalsOf.get(key);
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
        totalsOf.set(key, t);
      }
      t.periods++;
      t.events += Number(period.events);
      t.unpriced += state.unpriced;
      t.billedThen = t.billedThen.plus(period.total);
      t.billedSimulated = t.billedSimulated.plus(invoice.total);
      t.costThen = t.costThen.plus(period.provider_cost);
      t.costSimulated = usage.reduce((s, u) => s.plus(u.provider_cost), t.costSimulated);
    }
    const customers = [...totalsOf.values()].map(customerJson);
    customers.sort(
      (a, b) => new Decimal(a.margin_simulated).cmp(b.margin_simulated) || (a.external_customer_id < b.external_customer_id ? -1 : 1),
    );
    const byCurrency = new Map<string, CustomerTotals & { customers: number }>();
    for (const t of totalsOf.values()) {
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
