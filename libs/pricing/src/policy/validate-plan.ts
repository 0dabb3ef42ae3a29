import { Decimal, currencyExponent, writtenDecimalPlaces } from '@tollgate/money';
import type { UsageDimension } from '../dimensions';
import type { Charge, ChargeMode, CostSource, LineDetail, Plan, PlanInterval } from './plan';
import { isMatchAllPattern } from './match-charge';

// A plan's meaning: the rules that relate its fields to each other. The shape of a plan (types, lengths,
// decimal formats, bounds) is checked before, by the api's request schema (apps/api/src/plans/plan.schema.ts),
// and stored plans were checked by it when written: this takes that shape, typed.

export interface PlanError {
  /** Where in the input, e.g. `charges[1].markup`. */
  readonly path: string;
  readonly message: string;
}

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; errors: PlanError[] };

/** A charge as sent (and stored): decimals as strings; absent or null fields take their defaults. */
export interface ChargeInput {
  readonly name: string;
  readonly models: readonly string[];
  readonly mode?: ChargeMode | null;
  readonly markup?: string | null;
  readonly token_prices?: Readonly<Partial<Record<UsageDimension, string | null>>> | null;
  readonly margin_floor?: string | null;
  readonly allowance_eligible?: boolean | null;
}

/** A plan as sent (and stored, see planToJson). */
export interface PlanInput {
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly interval?: PlanInterval | null;
  readonly base_fee?: string | null;
  readonly included_usage?: string | null;
  readonly minimum_commitment?: string | null;
  readonly grace_period_hours?: number | null;
  readonly requires_approval?: boolean | null;
  readonly prepaid?: boolean | null;
  readonly cost_source?: CostSource | null;
  readonly customer_line_detail?: LineDetail | null;
  readonly charges: readonly ChargeInput[];
}

/** The value of each field a plan may omit. */
export const PLAN_DEFAULTS = {
  interval: 'month',
  base_fee: '0',
  included_usage: '0',
  minimum_commitment: '0',
  grace_period_hours: 0,
  requires_approval: false,
  prepaid: false,
  cost_source: 'rate_card',
  customer_line_detail: 'per_charge',
  mode: 'price',
  markup: '0',
  allowance_eligible: true,
} as const;

/** Checks how a plan's fields fit together; returns it typed, or every problem with its path. */
export function validatePlan(input: PlanInput): PlanValidation {
  const errors: PlanError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });

  // Plan-level amounts are billed as they are, so they may not be finer than the currency's minor unit.
  const minor = currencyExponent(input.currency);
  for (const key of ['base_fee', 'included_usage', 'minimum_commitment'] as const) {
    const value = input[key];
    if (value != null && writtenDecimalPlaces(value) > minor) fail(key, `must have at most ${minor} decimal places (${input.currency})`);
  }

  const seen = new Set<string>();
  input.charges.forEach((c, i) => {
    const at = `charges[${i}]`;
    if (seen.has(c.name)) fail(`${at}.name`, `duplicate charge name "${c.name}"`);
    seen.add(c.name);
    const mode = c.mode ?? PLAN_DEFAULTS.mode;
    if (mode === 'price' && c.token_prices != null) fail(`${at}.token_prices`, 'applies only to charges with "mode": "token"');
    if (mode === 'token') {
      if (c.markup != null) fail(`${at}.markup`, 'applies only to charges with "mode": "price"; token mode uses token_prices');
      // Every other dimension falls back to these two (docs/design.md), so without them the charge prices nothing sensibly.
      for (const required of ['input_tokens', 'output_tokens'] as const) {
        if (c.token_prices?.[required] == null) fail(`${at}.token_prices.${required}`, 'is required in token mode');
      }
    }
  });
  const last = input.charges[input.charges.length - 1];
  if (!last?.models.some(isMatchAllPattern)) {
    fail(
      `charges[${input.charges.length - 1}].models`,
      'the last charge is the default and must match every model: include the pattern "*"',
    );
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      code: input.code,
      name: input.name,
      currency: input.currency,
      interval: input.interval ?? PLAN_DEFAULTS.interval,
      base_fee: new Decimal(input.base_fee ?? PLAN_DEFAULTS.base_fee),
      included_usage: new Decimal(input.included_usage ?? PLAN_DEFAULTS.included_usage),
      minimum_commitment: new Decimal(input.minimum_commitment ?? PLAN_DEFAULTS.minimum_commitment),
      grace_period_hours: input.grace_period_hours ?? PLAN_DEFAULTS.grace_period_hours,
      requires_approval: input.requires_approval ?? PLAN_DEFAULTS.requires_approval,
      prepaid: input.prepaid ?? PLAN_DEFAULTS.prepaid,
      cost_source: input.cost_source ?? PLAN_DEFAULTS.cost_source,
      customer_line_detail: input.customer_line_detail ?? PLAN_DEFAULTS.customer_line_detail,
      charges: input.charges.map(toCharge),
    },
  };
}

function toCharge(c: ChargeInput): Charge {
  const mode = c.mode ?? PLAN_DEFAULTS.mode;
  const tokenPrices: Partial<Record<UsageDimension, Decimal>> = {};
  if (mode === 'token') {
    for (const [dimension, price] of Object.entries(c.token_prices ?? {})) {
      if (price != null) tokenPrices[dimension as UsageDimension] = new Decimal(price);
    }
  }
  return {
    name: c.name,
    models: [...c.models],
    mode,
    markup: new Decimal(mode === 'price' ? (c.markup ?? PLAN_DEFAULTS.markup) : 0),
    token_prices: tokenPrices,
    margin_floor: c.margin_floor == null ? null : new Decimal(c.margin_floor),
    allowance_eligible: c.allowance_eligible ?? PLAN_DEFAULTS.allowance_eligible,
  };
}
