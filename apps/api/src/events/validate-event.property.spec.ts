import fc from 'fast-check';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { anyJson, dateTimeish, decimalAround, goodText, mutated, nastyNumber, nastyString, withSomeBad } from '@tollgate/testing';
import { problemsOf } from '../common/schema/problems';
import { Event } from './event.schema';
import { isEventError, validateEvent } from './validate-event';

// The ingest path checks events by hand (bench/validate-event.ts says why); /docs shows the zod Event
// schema. Both must accept and refuse the same events, naming the same fields, or the document lies.

// A window wide enough that no timestamp is out of range: the window is the ingest's, not the schema's.
const window = { now: 1.3e14, maxFutureMs: 1.3e14, backfillMs: 1.3e14 };

const valid = {
  transaction_id: 'tx-1',
  external_customer_id: 'acme',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { input_tokens: 1200, output_tokens: 300 },
};

const count = fc.oneof(fc.integer({ min: 0, max: 1e12 }), nastyNumber, fc.constantFrom(1e12, 1e12 + 1, -1, 0.5, null), anyJson);
const usage = fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...USAGE_DIMENSIONS), nastyString), count, { maxKeys: 5 }), anyJson);
const metadata = fc.oneof(
  fc.dictionary(nastyString, fc.oneof({ weight: 5, arbitrary: nastyString }, { weight: 1, arbitrary: anyJson }), { maxKeys: 40 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ minLength: 100, maxLength: 300 }), { minKeys: 10, maxKeys: 20 }),
  anyJson,
);
const timestamp = fc.oneof(
  dateTimeish,
  fc.date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true }).map((d) => d.toISOString()),
  nastyNumber,
  fc.integer({ min: -1, max: 253402300800000 }),
  anyJson,
);

const bad = {
  transaction_id: nastyString,
  external_customer_id: nastyString,
  timestamp,
  provider: nastyString,
  model: nastyString,
  usage,
  cost: fc.oneof(decimalAround(18, 30), nastyNumber),
  task_id: nastyString,
  trace_id: nastyString,
  session_id: nastyString,
  feature: nastyString,
  status: fc.constantFrom('success', 'error', 'usage_unknown', 'ok', '', 'SUCCESS'),
  retry_of: nastyString,
  metadata,
};

const good = fc.record(
  {
    transaction_id: goodText,
    external_customer_id: goodText,
    timestamp: fc.oneof(
      fc.date({ min: new Date(0), max: new Date(253402300799999), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.integer({ min: 0, max: 253402300799999 }),
    ),
    provider: goodText,
    model: goodText,
    usage: fc.dictionary(fc.constantFrom(...USAGE_DIMENSIONS), fc.integer({ min: 0, max: 1e12 }), { maxKeys: 4 }),
    cost: fc.oneof(fc.constantFrom('0', '0.0042', '1'.repeat(18) + '.' + '9'.repeat(30)), fc.integer({ min: 0 }).map(String)),
    task_id: goodText,
    feature: goodText,
    status: fc.constantFrom('success', 'error', 'usage_unknown'),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
  },
  { requiredKeys: ['transaction_id', 'external_customer_id', 'provider', 'model', 'usage'] },
);

const event = fc.oneof(
  { weight: 4, arbitrary: withSomeBad(good, bad, 3) },
  { weight: 2, arbitrary: mutated(bad, valid) },
  { weight: 1, arbitrary: anyJson },
);

function fieldsOfZod(input: unknown): string[] | null {
  const r = Event.safeParse(input);
  return r.success ? null : [...new Set(problemsOf(r.error.issues).map((p) => p.field))].sort();
}

function fieldsOfHand(input: unknown): string[] | null {
  const r = validateEvent(input, window);
  return isEventError(r) ? [...new Set(r.details.map((p) => p.field))].sort() : null;
}

describe('validateEvent and the Event schema', () => {
  it('accept and refuse the same events, naming the same fields', () => {
    fc.assert(
      fc.property(event, (input) => {
        expect(fieldsOfHand(input)).toEqual(fieldsOfZod(input));
      }),
      { seed: 20261130, numRuns: 5000 },
    );
  });

  it('are given both valid and invalid events to agree on', () => {
    const sample = fc.sample(event, { seed: 20261130, numRuns: 2000 });
    const accepted = sample.filter((e) => fieldsOfZod(e) === null).length;
    expect(accepted).toBeGreaterThan(200);
    expect(sample.length - accepted).toBeGreaterThan(200);
  });

  it('agree on the edge cases by name', () => {
    const cases: unknown[] = [
      valid,
      { ...valid, usage: undefined },
      { ...valid, usage: null },
      { ...valid, usage: {} },
      { ...valid, metadata: JSON.parse('{"__proto__": "x"}') },
      { ...valid, metadata: { 'k\u0000': 'v' } },
      { ...valid, metadata: { k: 'v\ud800' } },
      { ...valid, external_customer_id: 'x\udc00' },
      { ...valid, transaction_id: 'T\ud800' },
      { ...valid, timestamp: '2026-02-31T00:00:00Z' },
      { ...valid, timestamp: '2026-01-01junk' },
      { ...valid, timestamp: '2024-02-29T23:59:59.999999999+14:00' },
      { ...valid, cost: '1'.repeat(18) + '.' + '1'.repeat(30) },
      { ...valid, cost: '1'.repeat(19) },
      { ...valid, extra: 1, usage: { tokens: 1 } },
    ];
    for (const input of cases) expect([input, fieldsOfHand(input)]).toEqual([input, fieldsOfZod(input)]);
  });
});
