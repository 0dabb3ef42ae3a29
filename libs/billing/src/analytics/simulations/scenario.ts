import { Decimal, ONE } from '@tollgate/money';
import { planToJson, validatePlan, type Plan, type PlanInput } from '@tollgate/pricing';

// A stress test's scenario (docs/api.md "Simulations"), as the API accepts it and the simulations table keeps it:
// decimal strings, checked by the api's schema and by `checkScenario`.

export interface ScenarioJson {
  /** Billed periods whose start is in [from, to). */
  from: string;
  to: string;
  /** Only these customers (external ids); all when absent. */
  external_customer_ids?: string[];
  /** A proposed plan billing every period instead of the plan version its invoice used. */
  plan?: PlanInput;
  /** Changes on the period's plan (or the proposed one): every price-mode charge's markup, every charge's floor, the allowance, the customers' discount. */
  plan_changes?: { markup?: string; margin_floor?: string | null; included_usage?: string; discount?: string };
  /** Provider prices × factor, the first entry matching an event's provider and model (either may be omitted). */
  price_multipliers?: { provider?: string; model?: string; factor: string }[];
  /** `share` (0..1) of each customer's events of from_model re-priced as to_model with the same tokens. */
  routing_shifts?: { from_provider?: string; from_model: string; to_provider: string; to_model: string; share: string }[];
  /** Usage × factor: each event counts factor times (cost and rated amount), before the period's invoice steps. */
  usage_growth?: string;
}

export interface PriceMultiplier {
  readonly provider: string | null;
  readonly model: string | null;
  readonly factor: Decimal;
}

export interface RoutingShift {
  readonly fromProvider: string | null;
  readonly fromModel: string;
  readonly toProvider: string;
  readonly toModel: string;
  /** Millionths of the matching events moved. */
  readonly sharePpm: number;
}

/** The scenario in working form: decimals parsed, names lower-cased for matching. */
export interface Scenario {
  readonly from: Date;
  readonly to: Date;
  readonly customers: readonly string[] | null;
  readonly plan: Plan | null;
  readonly markup: Decimal | null;
  /** undefined: unchanged; null: no floor. */
  readonly marginFloor: Decimal | null | undefined;
  readonly includedUsage: Decimal | null;
  readonly discount: Decimal | null;
  readonly multipliers: readonly PriceMultiplier[];
  readonly shifts: readonly RoutingShift[];
  readonly growth: Decimal;
}

export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const lower = (s: string | undefined) => (s === undefined ? null : s.toLowerCase());
/** Shares are written with at most 6 decimal places (the api's schema checks it). */
const SHARE_SCALE = 1_000_000;

/** Parses a scenario the api's schema accepted; what only the pricing rules can say (the plan) throws ScenarioError. */
export function parseScenario(json: ScenarioJson): Scenario {
  let plan: Plan | null = null;
  if (json.plan !== undefined) {
    const checked = validatePlan(json.plan);
    if (!checked.ok) throw new ScenarioError(`plan.${checked.errors[0].path}`, checked.errors[0].message);
    plan = checked.plan;
  }
  const changes = json.plan_changes ?? {};
  return {
    from: new Date(json.from),
    to: new Date(json.to),
    customers: json.external_customer_ids ?? null,
    plan,
    markup: changes.markup === undefined ? null : new Decimal(changes.markup),
    marginFloor: changes.margin_floor === undefined ? undefined : changes.margin_floor === null ? null : new Decimal(changes.margin_floor),
    includedUsage: changes.included_usage === undefined ? null : new Decimal(changes.included_usage),
    discount: changes.discount === undefined ? null : new Decimal(changes.discount),
    multipliers: (json.price_multipliers ?? []).map((m) => ({
      provider: lower(m.provider),
      model: lower(m.model),
      factor: new Decimal(m.factor),
    })),
    shifts: (json.routing_shifts ?? []).map((s) => ({
      fromProvider: lower(s.from_provider),
      fromModel: s.from_model.toLowerCase(),
      toProvider: s.to_provider,
      toModel: s.to_model,
      sharePpm: new Decimal(s.share).times(SHARE_SCALE).toNumber(),
    })),
    growth: json.usage_growth === undefined ? ONE : new Decimal(json.usage_growth),
  };
}

/** Whether the scenario changes a period's plan (else the period's own plan version prices it as it was). */
export function changesPlan(s: Scenario): boolean {
  return s.plan !== null || s.markup !== null || s.marginFloor !== undefined || s.includedUsage !== null;
}

/**
 * The plan a period is simulated on: the proposed plan or the period's own, with the plan changes. Validated
 * again as a whole, so a change the plan's currency cannot bill (an allowance finer than its minor unit) is refused.
 */
export function planWithChanges(base: Plan, s: Scenario): Plan {
  if (s.markup === null && s.marginFloor === undefined && s.includedUsage === null) return base;
  const json = planToJson(base);
  const changed: PlanInput = {
    ...json,
    ...(s.includedUsage === null ? {} : { included_usage: s.includedUsage.toFixed() }),
    charges: json.charges.map((c) => ({
      ...c,
      ...(s.markup !== null && c.mode === 'price' ? { markup: s.markup.toFixed() } : {}),
      ...(s.marginFloor === undefined ? {} : { margin_floor: s.marginFloor === null ? null : s.marginFloor.toFixed() }),
    })),
  };
  const checked = validatePlan(changed);
  if (!checked.ok)
    throw new ScenarioError(`plan_changes (on plan "${base.code}")`, `${checked.errors[0].path} ${checked.errors[0].message}`);
  return checked.plan;
}

/** The factor on an event's provider prices: the first multiplier whose provider and model (each if given) match. */
export function priceFactor(multipliers: readonly PriceMultiplier[], provider: string, model: string): Decimal | null {
  if (multipliers.length === 0) return null;
  const p = provider.toLowerCase();
  const m = model.toLowerCase();
  for (const x of multipliers) if ((x.provider === null || x.provider === p) && (x.model === null || x.model === m)) return x.factor;
  return null;
}

/**
 * Picks which events a routing shift moves: of a customer's matching events in stream order (period, time, id), the
 * k-th (from 0) moves when ⌊(k+1)·share⌋ > ⌊k·share⌋. Exactly ⌊n·share⌋ of n events move, spread evenly, and the
 * same events on every run.
 */
export class RoutingPicker {
  /** Per shift: matching events seen per customer. */
  private readonly seen: Map<string, number>[];
  /** Provider and model names as events send them, lower-cased (a handful of names, each lowered once). */
  private readonly lowered = new Map<string, string>();

  constructor(private readonly shifts: readonly RoutingShift[]) {
    this.seen = shifts.map(() => new Map());
  }

  private lower(name: string): string {
    let l = this.lowered.get(name);
    if (l === undefined) this.lowered.set(name, (l = name.toLowerCase()));
    return l;
  }

  /** The shift moving this event, or null. */
  pick(customerId: string, provider: string, model: string): RoutingShift | null {
    if (this.shifts.length === 0) return null;
    const p = this.lower(provider);
    const m = this.lower(model);
    for (let i = 0; i < this.shifts.length; i++) {
      const s = this.shifts[i];
      if (s.fromModel !== m || (s.fromProvider !== null && s.fromProvider !== p)) continue;
      const k = this.seen[i].get(customerId) ?? 0;
      this.seen[i].set(customerId, k + 1);
      const moved = Math.floor(((k + 1) * s.sharePpm) / SHARE_SCALE) > Math.floor((k * s.sharePpm) / SHARE_SCALE);
      return moved ? s : null;
    }
    return null;
  }
}
