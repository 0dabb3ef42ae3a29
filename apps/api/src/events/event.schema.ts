import { z } from 'zod';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { MAX_USAGE_COUNT, REPORTED_COST } from '../common/limits';
import { named } from '../common/schema/openapi';
import {
  array,
  decimalString,
  idCursor,
  instant,
  instantParam,
  integer,
  limitParam,
  object,
  oneOf,
  optional,
  stringProblem,
  text,
  typeName,
} from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut, TokenCounts } from '../common/schema/responses';

// The Event of POST /v1/events. The ingest path checks events with the hand-written
// validateEvent (validate-event.ts; bench/validate-event.ts says why); this schema is what /docs shows, and
// validate-event.property.spec.ts keeps the two in agreement.

export const MAX_EVENTS_PER_REQUEST = 1000;
export const MAX_METADATA_KEYS = 32;
export const MAX_METADATA_BYTES = 4096;
export const EVENT_STATUSES = ['success', 'error', 'usage_unknown'] as const;

export const Usage = named(
  'Usage',
  object(
    Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, optional(integer(0, MAX_USAGE_COUNT))])) as Record<
      (typeof USAGE_DIMENSIONS)[number],
      ReturnType<typeof optional<ReturnType<typeof integer>>>
    >,
  ).meta({ description: 'Counts per disjoint usage dimension, each an integer from 0 to 10^12; absent is 0 (requests: 1).' }),
);

/**
 * Every problem of an event's metadata, as (key, message). Shared by the zod schema and the hand-written
 * validator; written out rather than z.record, which skips a "__proto__" key instead of checking it.
 */
export function metadataProblems(v: unknown): { key?: string; message: string }[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [{ message: 'must be an object of strings' }];
  const problems: { key?: string; message: string }[] = [];
  const keys = Object.keys(v);
  for (const key of keys) {
    const value = (v as Record<string, unknown>)[key];
    const keyProblem = stringProblem(key, MAX_METADATA_BYTES, 0);
    if (keyProblem) problems.push({ key, message: `key ${keyProblem}` });
    if (typeof value !== 'string') problems.push({ key, message: `must be a string, not ${typeName(value)}` });
    else {
      const valueProblem = stringProblem(value, MAX_METADATA_BYTES, 0);
      if (valueProblem) problems.push({ key, message: valueProblem });
    }
  }
  if (problems.length > 0) return problems;
  if (keys.length > MAX_METADATA_KEYS) return [{ message: `may have at most ${MAX_METADATA_KEYS} keys` }];
  if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) return [{ message: 'must be at most 4 KiB as UTF-8 JSON' }];
  return [];
}

export const Metadata = z
  .custom<Record<string, string>>()
  .check((ctx) => {
    if (ctx.value == null) ctx.issues.push({ code: 'custom', message: 'is required', input: ctx.value });
    else
      for (const p of metadataProblems(ctx.value))
        ctx.issues.push({ code: 'custom', message: p.message, input: ctx.value, ...(p.key === undefined ? {} : { path: [p.key] }) });
  })
  .meta({
    type: 'object',
    additionalProperties: { type: 'string' },
    maxProperties: MAX_METADATA_KEYS,
    description: 'Strings keyed by strings; at most 32 keys and 4 KiB as UTF-8 JSON.',
  });

export const Event = named(
  'Event',
  object({
    transaction_id: text(255, { description: 'Idempotency key within the organisation; a retry must reuse it.' }),
    external_customer_id: text(255, { description: 'Unknown ids create a customer on the default plan.' }),
    timestamp: optional(
      instant('RFC 3339 or Unix milliseconds; default: the time received. At most 5 minutes ahead, within the backfill window (35 days).'),
    ),
    provider: text(255).meta({ example: 'openai' }),
    model: text(255).meta({ example: 'gpt-4o' }),
    usage: Usage,
    cost: optional(decimalString(REPORTED_COST)),
    task_id: optional(text(255)),
    trace_id: optional(text(255)),
    session_id: optional(text(255)),
    feature: optional(text(255)),
    status: optional(
      oneOf(
        EVENT_STATUSES,
        "Failed calls still cost money; usage_unknown: the call's usage could not be read, stored unpriced, never priced at zero. Default success.",
      ),
    ),
    retry_of: optional(text(255, { description: 'transaction_id of the call this one retried.' })),
    metadata: optional(Metadata),
  }),
);

/** The request as /docs shows it; the api checks the envelope with IngestEnvelope and each event on its own. */
export const IngestRequest = named('IngestRequest', object({ events: array(Event, 1, MAX_EVENTS_PER_REQUEST, 'events') }));

/** What the api checks of the whole body: anything else about an event rejects that event only. */
export const IngestEnvelope = object({
  events: array(
    z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'must be a JSON object' }),
    1,
    MAX_EVENTS_PER_REQUEST,
    'events',
  ),
});

const EventError = object({
  code: oneOf(['invalid_event', 'timestamp_out_of_range', 'transaction_id_conflict']),
  message: z.string(),
  details: z.array(object({ field: z.string(), message: z.string() })).optional(),
});

export const IngestResponse = named(
  'IngestResponse',
  object({
    results: z.array(
      object({
        transaction_id: z.string().nullable(),
        status: oneOf(['accepted', 'duplicate', 'rejected']),
        error: EventError.optional(),
      }),
    ),
  }).meta({ description: 'One result per event, in request order.' }),
);

export const PRICING_STATUSES = ['pending', 'priced', 'unpriced'] as const;

export const ListEventsQuery = object({
  external_customer_id: optional(text(255)),
  transaction_id: optional(text(255)),
  from: optional(instantParam("Events at or after this instant (the event's timestamp).")),
  to: optional(instantParam('Events before this instant.')),
  model: optional(text(255)),
  pricing_status: optional(oneOf(PRICING_STATUSES)),
  cursor: optional(idCursor()),
  limit: limitParam(),
});
export type ListEventsFilter = z.output<typeof ListEventsQuery>;

const nullableText = () => z.string().nullable();

export const StoredEvent = named(
  'StoredEvent',
  z.strictObject({
    transaction_id: z.string(),
    external_customer_id: z.string(),
    timestamp: timestampOut(),
    received_at: timestampOut(),
    provider: z.string(),
    model: z.string(),
    usage: TokenCounts,
    cost: decimalOut('As the event reported it.').nullable(),
    task_id: nullableText(),
    trace_id: nullableText(),
    session_id: nullableText(),
    feature: nullableText(),
    status: z.enum(EVENT_STATUSES),
    retry_of: nullableText(),
    metadata: z.record(z.string(), z.string()).nullable(),
    pricing_status: z.enum(PRICING_STATUSES),
    unpriced_reason: nullableText(),
    provider_cost: decimalOut().nullable(),
    rated_amount: decimalOut('Before discount, floor and allowance (those are the invoice’s).').nullable(),
    charge: nullableText().meta({ description: "The plan charge's name, once priced." }),
    rate_card_id: nullableText(),
  }),
);

export const EventList = listOf('EventList', StoredEvent);

export const QuarantineRetried = named(
  'QuarantineRetried',
  z
    .strictObject({ batches: z.number().int(), events: z.number().int() })
    .meta({ description: 'Quarantined batches priced again, and their events (back to pending).' }),
);
