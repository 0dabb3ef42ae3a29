import { z } from 'zod';
import { Decimal } from '@tollgate/money';

// The building blocks of every request schema (docs/input.md "Rules"). Each one checks a value
// completely, says what is wrong in words a client can act on, and documents itself in the OpenAPI
// document through its JSON Schema (the same object the validator is).

export const MAX_TEXT = 255;

declare global {
  interface String {
    /** ES2024, in Node 20: false when the string holds a lone UTF-16 surrogate. */
    isWellFormed(): boolean;
  }
}

/** Which problem a string has, or null: lone surrogates and U+0000 are refused everywhere. */
export function stringProblem(s: string, max: number, min = 1): string | null {
  if (s.length < min) return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
  if (s.indexOf('\u0000') >= 0) return 'must not contain U+0000';
  if (!s.isWellFormed()) return 'must be well-formed Unicode (it contains a lone UTF-16 surrogate)';
  // UTF-16 length >= characters: count code points only when the cheap bound does not decide.
  if (s.length > max && codePoints(s) > max) return `must be at most ${max} characters`;
  return null;
}

/** Unicode characters (code points) of a well-formed string. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    n++;
  }
  return n;
}

export const typeName = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/** A string of 1–max Unicode characters, well-formed, without U+0000. */
export function text(max = MAX_TEXT, options: { pattern?: RegExp; patternMessage?: string; description?: string } = {}) {
  return z
    .string({ error: (iss) => (iss.input == null ? 'is required' : `must be a string, not ${typeName(iss.input)}`) })
    .check((ctx) => {
      const problem =
        stringProblem(ctx.value, max) ??
        (options.pattern && !options.pattern.test(ctx.value) ? (options.patternMessage ?? 'has an invalid format') : null);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .meta({
      minLength: 1,
      maxLength: max,
      ...(options.pattern ? { pattern: options.pattern.source } : {}),
      ...(options.description ? { description: options.description } : {}),
    });
}

export interface DecimalBounds {
  /** Digits before the point, leading zeros not counted. */
  integerDigits: number;
  /** Digits after the point, as written. */
  fractionDigits: number;
  min?: string;
  max?: string;
  /** The upper bound itself is refused (e.g. a margin floor below 1). */
  maxExclusive?: boolean;
  description?: string;
  example?: string;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Which problem a decimal string has against its bounds, or null. */
export function decimalProblem(v: unknown, b: DecimalBounds): string | null {
  if (typeof v === 'number') return `must be a decimal string such as "${Number.isFinite(v) ? v : '12.34'}", not a JSON number`;
  if (typeof v !== 'string' || !DECIMAL.test(v)) return 'must be a decimal string such as "12.34"';
  const point = v.indexOf('.');
  const fraction = point < 0 ? 0 : v.length - point - 1;
  const integer = (point < 0 ? v : v.slice(0, point)).replace(/^-?0*/, '').length;
  if (integer > b.integerDigits) return `must have at most ${b.integerDigits} digits before the decimal point`;
  if (fraction > b.fractionDigits) return `must have at most ${b.fractionDigits} decimal places`;
  const d = new Decimal(v);
  if (b.min !== undefined && d.lt(b.min)) return `must be at least ${b.min}`;
  if (b.max !== undefined && (b.maxExclusive ? d.gte(b.max) : d.gt(b.max)))
    return `must be ${b.maxExclusive ? 'below' : 'at most'} ${b.max}`;
  return null;
}

/** An exact decimal string (never a JSON number: money must not pass through a float), bounded. */
export function decimalString(b: DecimalBounds) {
  const range = [b.min !== undefined ? `from ${b.min}` : '', b.max !== undefined ? `${b.maxExclusive ? 'below' : 'to'} ${b.max}` : '']
    .filter(Boolean)
    .join(' ');
  return z
    .custom<string>()
    .check((ctx) => {
      const problem = ctx.value == null ? 'is required' : decimalProblem(ctx.value, b);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .meta({
      type: 'string',
      pattern: DECIMAL.source,
      description: [
        b.description,
        `Decimal string${range ? ` ${range}` : ''}; at most ${b.integerDigits} digits before the point and ${b.fractionDigits} after.`,
      ]
        .filter(Boolean)
        .join(' '),
      ...(b.example ? { example: b.example } : {}),
    });
}

// Dates and times: RFC 3339 with calendar checks (Date.parse would read 2026-02-31 as March 3rd), years
// 1970–9999 (Postgres has no year 0; JS and Postgres both hold the whole range).
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;
/** 9999-12-31T23:59:59.999Z: the largest Unix milliseconds accepted. */
export const MAX_UNIX_MS = Date.UTC(MAX_YEAR, 11, 31, 23, 59, 59, 999);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function calendarProblem(year: number, month: number, day: number): string | null {
  if (year < MIN_YEAR || year > MAX_YEAR) return `must have a year from ${MIN_YEAR} to ${MAX_YEAR}`;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 'is not a calendar date';
  return null;
}

/** Epoch milliseconds of an RFC 3339 date-time, or the problem with it. */
export function parseRfc3339(s: string): number | string {
  const m = RFC3339.exec(s);
  if (!m) return 'must be an RFC 3339 date-time such as "2026-01-15T09:30:00Z"';
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const calendar = calendarProblem(year, month, day);
  if (calendar) return calendar;
  if (hour > 23 || minute > 59 || second > 59) return 'is not a valid time of day';
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return 'has an invalid UTC offset';
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Milliseconds are what Postgres keeps (timestamptz(3)); finer digits are dropped.
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(1, 4).padEnd(3, '0'));
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

export function unixMsProblem(v: number): string | null {
  if (!Number.isInteger(v)) return 'in Unix milliseconds must be an integer';
  if (v < 0 || v > MAX_UNIX_MS) return `in Unix milliseconds must be from 0 to ${MAX_UNIX_MS}`;
  return null;
}

const INSTANT_DOC = 'RFC 3339 date-time (years 1970–9999), or Unix milliseconds';

/** A point in time in a JSON body: an RFC 3339 string or Unix milliseconds. */
export function instant(description = INSTANT_DOC) {
  return z
    .custom<string | number>()
    .check((ctx) => {
      const v = ctx.value;
      let problem: string | null;
      if (v == null) problem = 'is required';
      else if (typeof v === 'number') problem = unixMsProblem(v);
      else if (typeof v === 'string') {
        const ms = parseRfc3339(v);
        problem = typeof ms === 'string' ? ms : null;
      } else problem = 'must be an RFC 3339 date-time string or Unix milliseconds';
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: v });
    })
    .transform((v) => new Date(typeof v === 'number' ? v : (parseRfc3339(v) as number)))
    .meta({
      description,
      oneOf: [
        { type: 'string', format: 'date-time' },
        { type: 'integer', minimum: 0, maximum: MAX_UNIX_MS },
      ],
    });
}

/** A point in time in a query string: RFC 3339, or digits for Unix milliseconds. */
export function instantParam(description = INSTANT_DOC) {
  return z
    .string()
    .check((ctx) => {
      const v = ctx.value;
      let problem: string | null;
      if (/^\d{1,16}$/.test(v)) problem = unixMsProblem(Number(v));
      else if (/^\d+$/.test(v)) problem = `in Unix milliseconds must be from 0 to ${MAX_UNIX_MS}`;
      else {
        const ms = parseRfc3339(v);
        problem = typeof ms === 'string' ? `${ms}, or Unix milliseconds` : null;
      }
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: v });
    })
    .transform((v) => new Date(/^\d+$/.test(v) ? Number(v) : (parseRfc3339(v) as number)))
    .meta({ description, type: 'string' });
}

/** A calendar date `YYYY-MM-DD`, years 1970–9999. */
export function date(description?: string) {
  return z
    .string({
      error: (iss) => (iss.input == null ? 'is required' : `must be a date string such as "2026-01-15", not ${typeName(iss.input)}`),
    })
    .check((ctx) => {
      const m = DATE.exec(ctx.value);
      const problem = m ? calendarProblem(Number(m[1]), Number(m[2]), Number(m[3])) : 'must be a date such as "2026-01-15"';
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .meta({ format: 'date', ...(description ? { description } : {}) });
}

/** A JSON integer from min to max. */
export function integer(min: number, max: number, description?: string) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .custom<number>()
    .check((ctx) => {
      const v = ctx.value;
      if (v == null) ctx.issues.push({ code: 'custom', message: 'is required', input: v });
      else if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) ctx.issues.push({ code: 'custom', message, input: v });
    })
    .meta({ type: 'integer', minimum: min, maximum: max, ...(description ? { description } : {}) });
}

/** An integer in a query string, from min to max. */
export function integerParam(min: number, max: number, description?: string) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .check((ctx) => {
      if (!/^\d{1,16}$/.test(ctx.value) || Number(ctx.value) < min || Number(ctx.value) > max)
        ctx.issues.push({ code: 'custom', message, input: ctx.value });
    })
    .transform(Number)
    .meta({ type: 'integer', minimum: min, maximum: max, ...(description ? { description } : {}) });
}

export function boolean(description?: string) {
  return z
    .boolean({ error: (iss) => (iss.input == null ? 'is required' : 'must be true or false') })
    .meta(description ? { description } : {});
}

/** One of a fixed list of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, description?: string) {
  const message = `must be one of ${values.map((v) => `"${v}"`).join(', ')}`;
  return z.enum(values, { error: (iss) => (iss.input == null ? 'is required' : message) }).meta(description ? { description } : {});
}

/** Fields of optional(): a null there is dropped before parsing, so it reads as absent. */
const NULL_IS_ABSENT = new WeakSet<z.ZodType>();

/** Optional: a `null` is the same as an absent field (docs/input.md). */
export function optional<T extends z.ZodType>(schema: T) {
  const s = schema.optional().meta({ nullable: true });
  NULL_IS_ABSENT.add(s);
  return s;
}

/** A field a PATCH may clear: absent leaves it, null clears it. */
export function clearable<T extends z.ZodType>(schema: T) {
  return schema.nullable().optional();
}

/** Every object refuses fields it does not know (one rule at every level); null optional fields are absent. */
export function object<S extends z.ZodRawShape>(shape: S, name = 'an object') {
  const nullIsAbsent = Object.keys(shape).filter((k) => NULL_IS_ABSENT.has(shape[k] as z.ZodType));
  const strict = z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? 'is not a known field' : iss.input == null ? 'is required' : `must be ${name}`),
  });
  return z.preprocess((v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    let copy: Record<string, unknown> | undefined;
    for (const k of nullIsAbsent) {
      if ((v as Record<string, unknown>)[k] === null) {
        copy ??= { ...(v as Record<string, unknown>) };
        delete copy[k];
      }
    }
    return copy ?? v;
  }, strict);
}

/** An array of min to max items. */
export function array<T extends z.ZodType>(item: T, min: number, max: number, what = 'items') {
  const message = min > 0 ? `must be an array of ${min} to ${max} ${what}` : `must be an array of at most ${max} ${what}`;
  return z
    .array(item, { error: (iss) => (iss.input == null ? 'is required' : message) })
    .min(min, { error: message })
    .max(max, { error: message });
}

// Cursors are opaque to clients, but they reach SQL: decoded strictly, never with replacement characters.
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const NOT_OURS = 'is not a cursor this API returned';
const INT64_MAX = 9223372036854775807n;

export function decodeCursorText(cursor: string): string | null {
  if (cursor.length > 4 * MAX_TEXT * 2 || !BASE64URL.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function encodeCursor(value: string | number | bigint): string {
  return Buffer.from(String(value)).toString('base64url');
}

/** A cursor over ids (bigint): the id it carries, as a decimal string that fits int64. */
export function idCursor() {
  return z
    .string()
    .transform((cursor, ctx) => {
      const id = decodeCursorText(cursor);
      if (id === null || !/^\d{1,19}$/.test(id) || BigInt(id) > INT64_MAX) {
        ctx.issues.push({ code: 'custom', message: NOT_OURS, input: cursor });
        return z.NEVER;
      }
      return id;
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });
}

/** A cursor over a text key (a customer's external id, a plan's code). */
export function textCursor() {
  return z
    .string()
    .transform((cursor, ctx) => {
      const key = decodeCursorText(cursor);
      if (key === null || stringProblem(key, MAX_TEXT) !== null) {
        ctx.issues.push({ code: 'custom', message: NOT_OURS, input: cursor });
        return z.NEVER;
      }
      return key;
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });
}

/** `limit` of a list: 1 to 1,000, default 100 (docs/input.md "Rules"). */
export const limitParam = () => optional(integerParam(1, 1000, 'page size, default 100'));
export const DEFAULT_LIMIT = 100;
