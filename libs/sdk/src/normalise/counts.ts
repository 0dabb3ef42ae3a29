import type { Usage, UsageDimension } from '../dimensions';
import type { NormalisedUsage } from './openai-chat';

/** A provider count as a non-negative integer; null, absent or malformed counts are 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.trunc(value) : 0;
}

/**
 * A part subtracted from the total that includes it. A provider reporting a part larger than its total
 * would make a negative dimension; clamp to 0 rather than send a count the API rejects.
 */
export function minus(total: number, ...parts: number[]): number {
  let rest = total;
  for (const part of parts) rest -= part;
  return rest > 0 ? rest : 0;
}

/** Only the non-zero dimensions go on the wire: an absent dimension is 0. */
export function compact(usage: Record<UsageDimension, number>): Usage {
  const out: Usage = {};
  for (const key of Object.keys(usage) as UsageDimension[]) if (usage[key] > 0) out[key] = usage[key];
  return out;
}

/**
 * A normaliser's result. A usage with no positive token count and no reported cost was not read (absent,
 * renamed, or all zeros from a client that fills in defaults): it is `usage_unknown`, never a call that cost
 * nothing. No real model call consumes zero tokens; a count of searches or images alone does not make it known.
 */
export function normalised(usage: Record<UsageDimension, number>, cost?: string): NormalisedUsage {
  const out = compact(usage);
  if (cost !== undefined) return { usage: out, cost };
  for (const key in out) if (key.endsWith('_tokens')) return { usage: out };
  return { usage: {}, status: 'usage_unknown' };
}

/** A provider usage object as a record to read: anything else (absent, null, an array, a string) reads as {}. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A provider's reported cost (a JSON number in USD) as a plain decimal string. String(n) is the shortest
 * text that reads back as the same double, i.e. the digits the provider sent; only exponent notation
 * ("1.2e-7") needs spelling out, done on the digits, never with float arithmetic.
 */
export function decimalString(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const text = String(n);
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const digits = match[1] + (match[2] ?? '');
  const exponent = Number(match[3]);
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  return digits.length <= intLength
    ? digits + '0'.repeat(intLength - digits.length)
    : `${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}
