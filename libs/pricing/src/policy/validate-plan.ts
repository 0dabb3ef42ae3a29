import { Decimal, currencyExponent, writtenDecimalPlaces } from '@tollgate/money';
import type { UsageDimension } from '../dimensions';
import type { Charge, ChargeMode, CostSource, Plan, PlanInterval } from './plan';
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

<<<<<<< HEAD
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
  readonly cost_source?: CostSource | null;
  readonly charges: readonly ChargeInput[];
=======
const PLAN_KEYS = [
  'code',
  'name',
  'currency',
  'interval',
  'base_fee',
  'included_usage',
  'minimum_commitment',
  'grace_period_hours',
  'requires_approval',
  'cost_source',
  'charges',
];
const CHARGE_KEYS = ['name', 'models', 'mode', 'markup', 'token_prices', 'margin_floor', 'allowance_eligible'];
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_TEXT = 255;
const MAX_CHARGES = 100;
const MAX_PATTERNS = 100;
// Stored as numeric(65,30): more would be silently rounded by Postgres.
const MAX_FRACTION_DIGITS = 30;
const MAX_INTEGER_DIGITS = 20;
const MAX_GRACE_HOURS = 24 * 366;

type Fields = Record<string, unknown>;

/** Reads one object's fields, collecting every problem instead of stopping at the first. */
class Reader {
  constructor(
    private readonly errors: PlanError[],
    private readonly fields: Fields,
    private readonly prefix: string,
  ) {}

  path(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }

  fail(key: string, message: string): undefined {
    this.errors.push({ path: this.path(key), message });
    return undefined;
  }

  /** docs/api.md: a null field is the same as an absent one. */
  has(key: string): boolean {
    return this.fields[key] !== undefined && this.fields[key] !== null;
  }

  raw(key: string): unknown {
    return this.fields[key];
  }

  rejectUnknownKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.fields)) {
      if (!allowed.includes(key)) this.fail(key, 'is not a known field');
    }
  }

  text(key: string, pattern?: RegExp): string | undefined {
    if (!this.has(key)) return this.fail(key, 'is required');
    const value = this.raw(key);
    if (typeof value !== 'string' || value.length === 0) return this.fail(key, 'must be a non-empty string');
    if ([...value].length > MAX_TEXT) return this.fail(key, `must be at most ${MAX_TEXT} characters`);
    if (value.includes('\u0000')) return this.fail(key, 'must not contain U+0000');
    if (pattern && !pattern.test(value)) return this.fail(key, 'may contain only letters, digits, "_", "." and "-"');
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T | undefined {
    if (!this.has(key)) return fallback;
    const value = this.raw(key);
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }

  flag(key: string, fallback: boolean): boolean | undefined {
    if (!this.has(key)) return fallback;
    const value = this.raw(key);
    return typeof value === 'boolean' ? value : this.fail(key, 'must be true or false');
  }

  integer(key: string, min: number, max: number, fallback: number): number | undefined {
    if (!this.has(key)) return fallback;
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(key, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  /** A decimal string (never a JSON number: money must not pass through a float). */
  decimal(key: string, fallback: string | null, maxFractionDigits = MAX_FRACTION_DIGITS): Decimal | null | undefined {
    if (!this.has(key)) return fallback === null ? null : new Decimal(fallback);
    return readDecimal(this.raw(key), maxFractionDigits, (message) => this.fail(key, message));
  }
}

function readDecimal(value: unknown, maxFractionDigits: number, fail: (message: string) => undefined): Decimal | undefined {
  if (typeof value === 'number') return fail(`must be a decimal string such as "${value}", not a JSON number`);
  if (!isDecimalString(value)) return fail('must be a decimal string such as "12.34"');
  if (writtenDecimalPlaces(value) > maxFractionDigits) {
    return fail(`must have at most ${maxFractionDigits} decimal places`);
  }
  if (
    value
      .replace(/^-/, '')
      .split('.')[0]
      .replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS
  ) {
    return fail(`must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  }
  return new Decimal(value);
>>>>>>> tooling
}

/** The value of each field a plan may omit. */
export const PLAN_DEFAULTS = {
  interval: 'month',
  base_fee: '0',
  included_usage: '0',
  minimum_commitment: '0',
  grace_period_hours: 0,
  requires_approval: false,
  cost_source: 'rate_card',
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
    fail(`charges[${input.charges.length - 1}].models`, 'the last charge is the default and must match every model: include the pattern "*"');
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
      cost_source: input.cost_source ?? PLAN_DEFAULTS.cost_source,
      charges: input.charges.map(toCharge),
    },
  };
}

<<<<<<< HEAD
function toCharge(c: ChargeInput): Charge {
  const mode = c.mode ?? PLAN_DEFAULTS.mode;
  const tokenPrices: Partial<Record<UsageDimension, Decimal>> = {};
  if (mode === 'token') {
    for (const [dimension, price] of Object.entries(c.token_prices ?? {})) {
      if (price != null) tokenPrices[dimension as UsageDimension] = new Decimal(price);
    }
=======
function nonNegative(r: Reader, key: string, value: Decimal | null | undefined): Decimal | undefined {
  if (value === undefined || value === null) return undefined;
  return value.lt(0) ? r.fail(key, 'must not be negative') : value;
}

function readCharges(r: Reader, errors: PlanError[]): Charge[] | undefined {
  if (!r.has('charges')) return r.fail('charges', 'is required');
  const list = r.raw('charges');
  if (!Array.isArray(list) || list.length === 0) return r.fail('charges', 'must be a non-empty array');
  if (list.length > MAX_CHARGES) return r.fail('charges', `must have at most ${MAX_CHARGES} charges`);

  const charges = list.map((item, i) => readCharge(item, `charges[${i}]`, errors));
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const name = isObject(item) ? item.name : undefined;
    if (typeof name !== 'string') return;
    if (seen.has(name)) errors.push({ path: `charges[${i}].name`, message: `duplicate charge name "${name}"` });
    seen.add(name);
  });
  const last: unknown = list[list.length - 1];
  const lastModels = isObject(last) ? last.models : undefined;
  if (!Array.isArray(lastModels) || !lastModels.some((p) => typeof p === 'string' && isMatchAllPattern(p))) {
    errors.push({
      path: `charges[${list.length - 1}].models`,
      message: 'the last charge is the default and must match every model: include the pattern "*"',
    });
>>>>>>> tooling
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
