import { isUsageDimension } from '@tollgate/pricing';
import { fromApiPrice } from '@tollgate/rates';
import { ApiError } from '../common/api-error';

// Validation of the prices an admin sends (USD per million tokens, per unit for counts), stored per token.

const DECIMAL = /^\d{1,20}(\.\d{1,40})?$/;
const MAX_TIERS = 20;

export interface OverrideInput {
  provider: string;
  model: string;
  prices: Record<string, string>;
  tiers: { min_prompt_tokens: number; prices: Record<string, string> }[];
  effectiveFrom: Date;
}

type Problem = { field: string; message: string };

function text(value: unknown, field: string, problems: Problem[]): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || value.includes('\u0000')) {
    problems.push({ field, message: 'must be a non-empty string of at most 255 characters' });
    return '';
  }
  return value.trim();
}

/** Prices per million as sent -> per token; each key a usage dimension, each value a non-negative decimal string. */
function prices(value: unknown, field: string, problems: Problem[]): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ field, message: 'must be an object of usage dimension -> decimal string' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, price] of Object.entries(value)) {
    if (price === null) continue;
    if (!isUsageDimension(key)) problems.push({ field: `${field}.${key}`, message: 'is not a usage dimension' });
    else if (typeof price !== 'string' || !DECIMAL.test(price)) problems.push({ field: `${field}.${key}`, message: 'must be a non-negative decimal string, e.g. "2.5"' });
    else out[key] = fromApiPrice(key, price);
  }
  return out;
}

function tiers(value: unknown, problems: Problem[]): OverrideInput['tiers'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_TIERS) {
    problems.push({ field: 'tiers', message: `must be an array of at most ${MAX_TIERS} tiers` });
    return [];
  }
  const out = value.map((tier: unknown, i) => {
    const t = (typeof tier === 'object' && tier !== null ? tier : {}) as Record<string, unknown>;
    const min = t.min_prompt_tokens;
    if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 1) problems.push({ field: `tiers[${i}].min_prompt_tokens`, message: 'must be a positive integer' });
    const p = prices(t.prices, `tiers[${i}].prices`, problems);
    if (Object.keys(p).length === 0) problems.push({ field: `tiers[${i}].prices`, message: 'must set at least one price' });
    return { min_prompt_tokens: min as number, prices: p };
  });
  if (new Set(out.map((t) => t.min_prompt_tokens)).size !== out.length) problems.push({ field: 'tiers', message: 'thresholds must differ' });
  return out.sort((a, b) => a.min_prompt_tokens - b.min_prompt_tokens);
}

function time(value: unknown, problems: Problem[]): Date {
  if (value === undefined || value === null) return new Date();
  const d = typeof value === 'number' ? new Date(value) : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) problems.push({ field: 'effective_from', message: 'must be an RFC 3339 timestamp or Unix milliseconds' });
  return d;
}

/** `POST /v1/rates/overrides` body: a card needs input and output prices (docs/design.md "Rate cards"). */
export function readOverride(body: unknown): OverrideInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be an object');
  const b = body as Record<string, unknown>;
  const problems: Problem[] = [];
  const input: OverrideInput = {
    provider: text(b.provider, 'provider', problems),
    model: text(b.model, 'model', problems),
    prices: prices(b.prices, 'prices', problems),
    tiers: tiers(b.tiers, problems),
    effectiveFrom: time(b.effective_from, problems),
  };
  for (const required of ['input_tokens', 'output_tokens']) {
    if (typeof b.prices === 'object' && b.prices !== null && input.prices[required] === undefined && !problems.some((p) => p.field === `prices.${required}`)) {
      problems.push({ field: `prices.${required}`, message: 'is required' });
    }
  }
  if (problems.length > 0) throw ApiError.invalidRequest(`the override is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return input;
}

/** `PUT /v1/rates/aliases/{alias}` body. */
export function readAliasTarget(alias: string, body: unknown): { alias: string; provider: string; model: string } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  const out = { alias: text(alias, 'alias', problems).toLowerCase(), provider: text(b.provider, 'provider', problems), model: text(b.model, 'model', problems) };
  if (problems.length > 0) throw ApiError.invalidRequest(`the alias is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return out;
}
