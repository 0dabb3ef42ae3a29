import type { z } from 'zod';
import {
  date,
  decimalString,
  encodeCursor,
  idCursor,
  instant,
  instantParam,
  integerParam,
  MAX_UNIX_MS,
  object,
  optional,
  parseRfc3339,
  text,
  textCursor,
} from './primitives';
import { problemsOf } from './problems';

const problems = (schema: z.ZodType, v: unknown) => {
  const r = schema.safeParse(v);
  return r.success ? [] : problemsOf(r.error.issues).map((p) => p.message);
};

describe('text', () => {
  const t = text(5);
  it.each([
    ['', 'must not be empty'],
    ['a\u0000', 'must not contain U+0000'],
    ['a\ud800', 'lone UTF-16 surrogate'],
    ['\udc00a', 'lone UTF-16 surrogate'],
    ['abcdef', 'at most 5 characters'],
    [5, 'must be a string, not a number'],
    [undefined, 'is required'],
    [null, 'is required'],
  ])('refuses %p', (value, message) => {
    expect(problems(t, value)).toEqual([expect.stringContaining(message)]);
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    expect(problems(t, '😀😀😀😀😀')).toEqual([]);
    expect(problems(t, '日本語日本')).toEqual([]);
    expect(problems(t, '😀😀😀😀😀😀')).toEqual(['must be at most 5 characters']);
  });
});

describe('decimalString', () => {
  const d = decimalString({ integerDigits: 3, fractionDigits: 2, min: '0', max: '100' });
  it.each([
    ['0', []],
    ['100.00', []],
    ['007.5', []],
    ['1000', ['must have at most 3 digits before the decimal point']],
    ['1.234', ['must have at most 2 decimal places']],
    ['100.01', ['must be at most 100']],
    ['-0.01', ['must be at least 0']],
    ['1e2', ['must be a decimal string such as "12.34"']],
    ['.5', ['must be a decimal string such as "12.34"']],
    [1.5, ['must be a decimal string such as "1.5", not a JSON number']],
  ])('%p', (value, expected) => {
    expect(problems(d, value)).toEqual(expected);
  });

  it('can exclude its maximum', () => {
    expect(problems(decimalString({ integerDigits: 1, fractionDigits: 3, max: '1', maxExclusive: true }), '1')).toEqual([
      'must be below 1',
    ]);
  });
});

describe('RFC 3339 date-times', () => {
  it.each([
    ['2026-01-15T09:30:00Z', Date.UTC(2026, 0, 15, 9, 30)],
    ['2026-01-15t09:30:00.123456789z', Date.UTC(2026, 0, 15, 9, 30, 0, 123)],
    ['2026-01-15 09:30:00+01:30', Date.UTC(2026, 0, 15, 8, 0)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59.999Z', MAX_UNIX_MS],
  ])('reads %s', (s, ms) => {
    expect(parseRfc3339(s)).toBe(ms);
  });

  it.each([
    ['2026-02-31T00:00:00Z', 'is not a calendar date'],
    ['2025-02-29T00:00:00Z', 'is not a calendar date'],
    ['2026-13-01T00:00:00Z', 'is not a calendar date'],
    ['2026-01-01T24:00:00Z', 'is not a valid time of day'],
    ['2026-01-01T23:59:60Z', 'is not a valid time of day'],
    ['2026-01-01T00:00:00+24:00', 'has an invalid UTC offset'],
    ['0000-01-01T00:00:00Z', 'must have a year from 1970 to 9999'],
    ['2026-01-01junk', 'must be an RFC 3339 date-time'],
    ['2026-01-01T00:00:00', 'must be an RFC 3339 date-time'],
    ['2026-01-01', 'must be an RFC 3339 date-time'],
  ])('refuses %s', (s, message) => {
    expect(parseRfc3339(s)).toEqual(expect.stringContaining(message));
  });

  it('takes Unix milliseconds as a JSON integer in a body and as digits in a query', () => {
    expect(instant().parse(1_700_000_000_000)).toEqual(new Date(1_700_000_000_000));
    expect(problems(instant(), -8.64e15)).toEqual([`in Unix milliseconds must be from 0 to ${MAX_UNIX_MS}`]);
    expect(problems(instant(), 1.5)).toEqual(['in Unix milliseconds must be an integer']);
    expect(instantParam().parse('1700000000000')).toEqual(new Date(1_700_000_000_000));
    expect(problems(instantParam(), '99999999999999999999')).toEqual([`in Unix milliseconds must be from 0 to ${MAX_UNIX_MS}`]);
    expect(problems(instantParam(), '2026-01-01junk')).toEqual([expect.stringContaining('RFC 3339')]);
  });
});

describe('dates', () => {
  it.each([
    ['2026-01-15', []],
    ['2024-02-29', []],
    ['2026-02-30', ['is not a calendar date']],
    ['0000-01-01', ['must have a year from 1970 to 9999']],
    ['10000-01-01', ['must be a date such as "2026-01-15"']],
    ['2026-1-5', ['must be a date such as "2026-01-15"']],
  ])('%s', (s, expected) => {
    expect(problems(date(), s)).toEqual(expected);
  });
});

describe('query integers and cursors', () => {
  it('bounds integers given as digits', () => {
    expect(integerParam(1, 1000).parse('1000')).toBe(1000);
    for (const bad of ['0', '1001', '-1', '1.5', '1e3', ' 1', ''])
      expect(problems(integerParam(1, 1000), bad)).toEqual(['must be an integer from 1 to 1000']);
  });

  it('round-trips id cursors that fit int64 and refuses any other', () => {
    expect(idCursor().parse(encodeCursor('9223372036854775807'))).toBe('9223372036854775807');
    for (const bad of [
      encodeCursor('9223372036854775808'),
      encodeCursor('-1'),
      encodeCursor('1\u0000'),
      '%%%',
      'AA=',
      'Zm9v!',
      Buffer.from([0xff, 0xfe]).toString('base64url'),
    ]) {
      expect(problems(idCursor(), bad)).toEqual(['is not a cursor this API returned']);
    }
  });

  it('round-trips text cursors and never decodes one into replacement characters', () => {
    expect(textCursor().parse(encodeCursor('клиент-✓😀'))).toBe('клиент-✓😀');
    for (const bad of [
      Buffer.from([0x61, 0xff]).toString('base64url'),
      encodeCursor('a\u0000b'),
      Buffer.from('a\ud800', 'utf16le').toString('base64url'),
      '',
    ]) {
      expect(problems(textCursor(), bad)).toEqual(['is not a cursor this API returned']);
    }
  });
});

describe('objects', () => {
  const o = object({ a: text(), b: optional(text()) });
  it('refuse unknown fields, one problem each, and read null as absent', () => {
    expect(problemsOf(o.safeParse({ a: 'x', y: 1, z: 2 }).error!.issues)).toEqual([
      { field: 'y', message: 'is not a known field' },
      { field: 'z', message: 'is not a known field' },
    ]);
    expect(o.parse({ a: 'x', b: null })).toEqual({ a: 'x', b: undefined });
    expect(problemsOf(o.safeParse({ a: null }).error!.issues)).toEqual([{ field: 'a', message: 'is required' }]);
  });
});
