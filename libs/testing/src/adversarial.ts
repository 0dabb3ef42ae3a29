import fc from 'fast-check';

// Values a careless or hostile client sends: lone surrogates, U+0000, lengths at and past the limits,
// numbers past what a column holds, the wrong JSON type. Shared by the property specs and the api fuzz test.

export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** One code point of any kind, a lone surrogate now and then, U+0000 rarely. */
const unit = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: fc.constant('\u0000') },
);

/** Short strings of anything, and the edge cases by name. */
export const nastyString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit, maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'a\u0000b',
      '\u0000',
      'x\ud800',
      '\udc00y',
      'T\ud800',
      '😀'.slice(0, 1),
      '%00',
      '%ff%fe',
      '../../etc',
      'a'.repeat(255),
      'a'.repeat(256),
      '😀'.repeat(255),
      '😀'.repeat(256),
      '日'.repeat(255),
      '日'.repeat(256),
      '0',
      '-1',
      '1e5',
      'NaN',
      'null',
      '2026-02-31',
      '2026-02-31T00:00:00Z',
      '2026-01-01junk',
      '0000-01-01',
      '__proto__',
      'constructor',
      'toString',
    ),
  },
);

export const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -1,
    1.5,
    1e12,
    1e12 + 1,
    2 ** 53,
    -(2 ** 53),
    // int64's max (9223372036854775807) as a JSON number: a double holds it only as 2^63, one past what a bigint column takes.
    2 ** 63,
    1e300,
    -8.64e15,
    8.64e15 + 1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -0,
  ),
);

/** Any JSON value, nested a little. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** A decimal string with about `integer` and `fraction` digits: on, just under and just over a bound. */
export function decimalAround(integer: number, fraction: number): fc.Arbitrary<string> {
  const digits = (n: number) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: n, maxLength: n });
  return fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: integer + 2 }), fc.integer({ min: 0, max: fraction + 2 }))
    .chain(([negative, i, f]) => fc.tuple(digits(i), digits(f)).map(([a, b]) => `${negative ? '-' : ''}${a}${f > 0 ? '.' + b : ''}`));
}

/** RFC 3339-looking strings with fields in and out of range (Feb 31, hour 24, year 0000, offsets). */
export const dateTimeish = fc
  .tuple(
    fc.constantFrom('0000', '1969', '1970', '2024', '2026', '9999', '10000'),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.constantFrom('Z', 'z', '+00:00', '-05:30', '+24:00', '+01:60', '', 'junk', '.123Z', '.1234567891Z'),
    fc.constantFrom('T', 't', ' ', 'X'),
  )
  .map(([y, mo, d, h, mi, zone, sep]) => {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${y}-${p(mo)}-${p(d)}${sep}${p(h)}:${p(mi)}:${p(mi % 60)}${zone}`;
  });

export const dateish = fc
  .tuple(fc.constantFrom('0000', '1969', '1970', '2026', '9999', '10000'), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

/** A value for a field: usually of the right kind, sometimes anything at all, sometimes null. */
export function fieldValue<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 2, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constant(null) });
}

/** An object built from a valid one: fields dropped, replaced with adversarial values, unknown ones added. */
export function mutated(
  fields: Record<string, fc.Arbitrary<unknown>>,
  valid: Record<string, unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(([key, arb]) =>
    fc
      .oneof(
        { weight: 5, arbitrary: fc.constant(valid[key]) },
        { weight: 3, arbitrary: fieldValue(arb) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
      .map((v) => [key, v] as const),
  );
  return fc
    .tuple(fc.tuple(...entries), fc.option(fc.dictionary(nastyString, anyJson, { maxKeys: 2 }), { freq: 8 }))
    .map(([pairs, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of pairs) if (v !== undefined) out[k] = v;
      if (extra)
        for (const [k, v] of Object.entries(extra))
          if (!(k in fields)) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    });
}

/** A valid object with up to `max` fields replaced by adversarial values, dropped, or added. */
export function withSomeBad(
  good: fc.Arbitrary<Record<string, unknown>>,
  bad: Record<string, fc.Arbitrary<unknown>>,
  max = 2,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(bad);
  const change = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...keys).chain((k) => fieldValue(bad[k]!).map((v) => [k, v] as const)) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => [k, undefined] as const) },
    { weight: 1, arbitrary: fc.tuple(nastyString, anyJson) },
  );
  return fc.tuple(good, fc.array(change, { maxLength: max })).map(([base, changes]) => {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of changes) {
      if (v === undefined) delete out[k];
      else Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
    }
    return out;
  });
}

/** Text that is valid wherever 1–255 characters are: any code points, no lone surrogates, no U+0000. */
export const goodText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000'),
    fc.constantFrom('a', '-', '😀'),
  ),
  minLength: 1,
  maxLength: 40,
});
