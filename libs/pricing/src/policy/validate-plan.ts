import { Decimal, currencyExponent, isCurrency, isDecimalString, writtenDecimalPlaces } from '@tollgate/money';
import { isUsageDimension, type UsageDimension } from '../dimensions';
import type { Charge, ChargeMode, CostSource, Plan, PlanInterval } from './plan';
import { isMatchAllPattern } from './match-charge';

export interface PlanError {
  /** Where in the input, e.g. `charges[1].markup`. */
  readonly path: string;
  readonly message: string;
}

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; errors: PlanError[] };

const PLAN_KEYS = [
  'code', 'name', 'currency', 'interval', 'base_fee', 'included_usage', 'minimum_commitment',
  'grace_period_hours', 'requires_approval', 'cost_source', 'charges',
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

function readDecimal(
  value: unknown,
  maxFractionDigits: number,
  fail: (message: string) => undefined,
): Decimal | undefined {
  if (typeof value === 'number') return fail(`must be a decimal string such as "${value}", not a JSON number`);
  if (!isDecimalString(value)) return fail('must be a decimal string such as "12.34"');
  if (writtenDecimalPlaces(value) > maxFractionDigits) {
    return fail(`must have at most ${maxFractionDigits} decimal places`);
  }
  if (value.replace(/^-/, '').split('.')[0].replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS) {
    return fail(`must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  }
  return new Decimal(value);
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a plan as sent to POST/PUT /v1/plans; returns it typed, or every problem with its path. */
export function validatePlan(input: unknown): PlanValidation {
  const errors: PlanError[] = [];
  if (!isObject(input)) return { ok: false, errors: [{ path: '', message: 'plan must be a JSON object' }] };
  const r = new Reader(errors, input, '');
  r.rejectUnknownKeys(PLAN_KEYS);

  const code = r.text('code', CODE);
  const name = r.text('name');
  let currency: string | undefined;
  if (!r.has('currency')) r.fail('currency', 'is required');
  else if (!isCurrency(r.raw('currency'))) r.fail('currency', 'must be a supported ISO 4217 code in capitals, e.g. "USD"');
  else currency = r.raw('currency') as string;

  // Plan-level amounts are billed as they are, so they may not be finer than the currency's minor unit.
  const minor = currency === undefined ? MAX_FRACTION_DIGITS : currencyExponent(currency);
  const baseFee = nonNegative(r, 'base_fee', r.decimal('base_fee', '0', minor));
  const includedUsage = nonNegative(r, 'included_usage', r.decimal('included_usage', '0', minor));
  const minimumCommitment = nonNegative(r, 'minimum_commitment', r.decimal('minimum_commitment', '0', minor));
  const interval = r.oneOf<PlanInterval>('interval', ['week', 'month', 'year'], 'month');
  const gracePeriodHours = r.integer('grace_period_hours', 0, MAX_GRACE_HOURS, 0);
  const requiresApproval = r.flag('requires_approval', false);
  const costSource = r.oneOf<CostSource>('cost_source', ['rate_card', 'reported'], 'rate_card');
  const charges = readCharges(r, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      code: code!,
      name: name!,
      currency: currency!,
      interval: interval!,
      base_fee: baseFee!,
      included_usage: includedUsage!,
      minimum_commitment: minimumCommitment!,
      grace_period_hours: gracePeriodHours!,
      requires_approval: requiresApproval!,
      cost_source: costSource!,
      charges: charges!,
    },
  };
}

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
  const last = list[list.length - 1];
  const lastModels = isObject(last) ? last.models : undefined;
  if (!Array.isArray(lastModels) || !lastModels.some((p) => typeof p === 'string' && isMatchAllPattern(p))) {
    errors.push({
      path: `charges[${list.length - 1}].models`,
      message: 'the last charge is the default and must match every model: include the pattern "*"',
    });
  }
  return charges.every((c): c is Charge => c !== undefined) ? charges : undefined;
}

function readCharge(item: unknown, prefix: string, errors: PlanError[]): Charge | undefined {
  if (!isObject(item)) {
    errors.push({ path: prefix, message: 'must be an object' });
    return undefined;
  }
  const before = errors.length;
  const r = new Reader(errors, item, prefix);
  r.rejectUnknownKeys(CHARGE_KEYS);
  const name = r.text('name');
  const models = readModels(r);
  const mode = r.oneOf<ChargeMode>('mode', ['price', 'token'], 'price');

  let markup: Decimal | undefined = new Decimal(0);
  let tokenPrices: Partial<Record<UsageDimension, Decimal>> | undefined = {};
  if (mode === 'price') {
    const m = r.decimal('markup', '0');
    // −100% makes the charge free; anything lower would pay the customer for usage.
    markup = m === null || m === undefined ? undefined : m.lt(-1) ? r.fail('markup', 'must be at least -1 (−100%)') : m;
    if (r.has('token_prices')) r.fail('token_prices', 'applies only to charges with "mode": "token"');
  } else if (mode === 'token') {
    if (r.has('markup')) r.fail('markup', 'applies only to charges with "mode": "price"; token mode uses token_prices');
    tokenPrices = readTokenPrices(r);
  }

  const floor = r.decimal('margin_floor', null);
  if (floor && (floor.lt(0) || floor.gte(1))) r.fail('margin_floor', 'must be at least 0 and below 1');
  const allowanceEligible = r.flag('allowance_eligible', true);

  if (errors.length > before) return undefined;
  return {
    name: name!,
    models: models!,
    mode: mode!,
    markup: markup!,
    token_prices: tokenPrices!,
    margin_floor: floor ?? null,
    allowance_eligible: allowanceEligible!,
  };
}

function readModels(r: Reader): string[] | undefined {
  if (!r.has('models')) return r.fail('models', 'is required');
  const list = r.raw('models');
  if (!Array.isArray(list) || list.length === 0) return r.fail('models', 'must be a non-empty array of patterns');
  if (list.length > MAX_PATTERNS) return r.fail('models', `must have at most ${MAX_PATTERNS} patterns`);
  const bad = list.findIndex((p) => typeof p !== 'string' || p.length === 0 || [...p].length > MAX_TEXT);
  if (bad >= 0) return r.fail(`models[${bad}]`, `must be a non-empty string of at most ${MAX_TEXT} characters`);
  return list as string[];
}

function readTokenPrices(r: Reader): Partial<Record<UsageDimension, Decimal>> | undefined {
  if (!r.has('token_prices')) return r.fail('token_prices', 'is required when "mode" is "token"');
  const raw = r.raw('token_prices');
  if (!isObject(raw)) return r.fail('token_prices', 'must be an object of decimal strings keyed by usage dimension');
  const prices: Partial<Record<UsageDimension, Decimal>> = {};
  let ok = true;
  for (const [dimension, value] of Object.entries(raw)) {
    const fail = (message: string) => {
      ok = false;
      return r.fail(`token_prices.${dimension}`, message);
    };
    if (!isUsageDimension(dimension)) {
      fail('is not a usage dimension');
      continue;
    }
    if (value === null) continue;
    const price = readDecimal(value, MAX_FRACTION_DIGITS, fail);
    if (price?.lt(0)) fail('must not be negative');
    else if (price) prices[dimension] = price;
  }
  // Every other dimension falls back to these two (docs/design.md), so without them the charge prices nothing sensibly.
  for (const required of ['input_tokens', 'output_tokens'] as const) {
    if (raw[required] === undefined || raw[required] === null) {
      ok = false;
      r.fail(`token_prices.${required}`, 'is required in token mode');
    }
  }
  return ok ? prices : undefined;
}
