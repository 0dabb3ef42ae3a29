import { hash } from 'node:crypto';
import Decimal from 'decimal.js';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';
import { MAX_USAGE_COUNT, REPORTED_COST } from '../common/limits';
import { decimalProblem, parseRfc3339, stringProblem, typeName, unixMsProblem } from '../common/schema/primitives';
import { EVENT_STATUSES, metadataProblems } from './event.schema';

// One event of POST /v1/events, checked by hand on the hot path: the zod Event schema (event.schema.ts)
// takes several times longer per batch (bench/validate-event.ts), and validate-event.property.spec.ts
// keeps the two in agreement. Every problem is reported; a problem rejects that event only.

const MAX_ID = 255;
const ALLOWED_FIELDS = new Set([
  'transaction_id',
  'external_customer_id',
  'timestamp',
  'provider',
  'model',
  'usage',
  'cost',
  'task_id',
  'trace_id',
  'session_id',
  'feature',
  'status',
  'retry_of',
  'metadata',
]);
const DIMENSION_INDEX = new Map<string, number>(USAGE_DIMENSIONS.map((d, i) => [d, i]));

export interface ValidEvent {
  transactionId: string;
  externalCustomerId: string;
  /** Epoch milliseconds: the event's instant (the time received when omitted). */
  occurredAt: number;
  timestampProvided: boolean;
  provider: string;
  model: string;
  /** Counts in USAGE_DIMENSIONS order; integers up to 10^12 are exact as JS numbers. */
  usage: number[];
  cost: string | null;
  taskId: string | null;
  traceId: string | null;
  sessionId: string | null;
  feature: string | null;
  /** usage_unknown: the SDK could not read the provider's usage; the event is never priced (unpriced, with the reason). */
  status: (typeof EVENT_STATUSES)[number];
  retryOf: string | null;
  metadata: Record<string, string> | null;
  contentHash: Buffer;
}

export interface Problem {
  field: string;
  message: string;
}

export interface EventError {
  code: 'invalid_event' | 'timestamp_out_of_range';
  message: string;
  details: Problem[];
}

export interface ValidationWindow {
  now: number;
  maxFutureMs: number;
  backfillMs: number;
}

/** Collects every problem of one event. */
class Checker {
  problems: Problem[] | null = null;
  outOfRange = false;

  fail(field: string, message: string): null {
    (this.problems ??= []).push({ field, message });
    return null;
  }

  text(v: unknown, field: string, required: boolean): string | null {
    if (v === undefined || v === null) return required ? this.fail(field, 'is required') : null;
    if (typeof v !== 'string') return this.fail(field, `must be a string, not ${typeName(v)}`);
    const problem = stringProblem(v, MAX_ID);
    return problem ? this.fail(field, problem) : v;
  }

  timestamp(v: unknown, w: ValidationWindow): number | null {
    if (v === undefined || v === null) return null;
    let ms: number;
    if (typeof v === 'number') {
      const problem = unixMsProblem(v);
      if (problem) return this.fail('timestamp', problem);
      ms = v;
    } else if (typeof v === 'string') {
      const parsed = parseRfc3339(v);
      if (typeof parsed === 'string') return this.fail('timestamp', parsed);
      ms = parsed;
    } else {
      return this.fail('timestamp', 'must be an RFC 3339 date-time string or Unix milliseconds');
    }
    if (ms > w.now + w.maxFutureMs) {
      this.outOfRange = true;
      return this.fail('timestamp', `is more than ${w.maxFutureMs / 1000} seconds in the future`);
    }
    if (ms < w.now - w.backfillMs) {
      this.outOfRange = true;
      return this.fail('timestamp', `is older than the backfill window of ${w.backfillMs / 86_400_000} days`);
    }
    return ms;
  }

  usage(v: unknown): number[] {
    const counts = DEFAULT_COUNTS.slice();
    if (v === undefined || v === null) {
      this.fail('usage', 'is required');
      return counts;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail('usage', 'must be an object');
      return counts;
    }
    for (const key of Object.keys(v)) {
      const index = DIMENSION_INDEX.get(key);
      if (index === undefined) {
        this.fail(`usage.${key}`, 'is not a known field');
        continue;
      }
      const n = (v as Record<string, unknown>)[key];
      if (n === null || n === undefined) continue;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_USAGE_COUNT) {
        this.fail(`usage.${key}`, `must be an integer from 0 to ${MAX_USAGE_COUNT}`);
      } else counts[index] = n;
    }
    return counts;
  }

  cost(v: unknown): string | null {
    if (v === undefined || v === null) return null;
    const problem = decimalProblem(v, REPORTED_COST);
    if (problem) return this.fail('cost', problem);
    return new Decimal(v as string).toFixed(); // "0.10" and "0.1" are the same cost
  }

  metadata(v: unknown): Record<string, string> | null {
    if (v === undefined || v === null) return null;
    const problems = metadataProblems(v);
    for (const p of problems) this.fail(p.key === undefined ? 'metadata' : `metadata.${p.key}`, p.message);
    return problems.length === 0 ? (v as Record<string, string>) : null;
  }
}

const DEFAULT_COUNTS: readonly number[] = USAGE_DIMENSIONS.map((d) => (d === 'requests' ? 1 : 0));

function sortedEntries(m: Record<string, string> | null): [string, string][] | null {
  return m === null
    ? null
    : Object.keys(m)
        .sort()
        .map((k) => [k, m[k]]);
}

const EMPTY = Buffer.alloc(0);

/** The content a retry must repeat exactly to count as a duplicate (absent and null are the same). */
export function contentHash(e: Omit<ValidEvent, 'contentHash'>): Buffer {
  const canonical = JSON.stringify([
    e.externalCustomerId,
    e.timestampProvided ? e.occurredAt : null,
    e.provider,
    e.model,
    e.usage,
    e.cost,
    e.taskId,
    e.traceId,
    e.sessionId,
    e.feature,
    e.status,
    e.retryOf,
    sortedEntries(e.metadata),
  ]);
  return hash('sha256', canonical, 'buffer'); // one call: createHash().update().digest() cost twice as much per event
}

export function validateEvent(raw: unknown, w: ValidationWindow): ValidEvent | EventError {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { code: 'invalid_event', message: 'an event must be a JSON object', details: [{ field: '', message: 'must be a JSON object' }] };
  }
  const o = raw as Record<string, unknown>;
  const c = new Checker();
  for (const key of Object.keys(o)) {
    if (!ALLOWED_FIELDS.has(key)) c.fail(key, 'is not a known field');
  }
  const transactionId = c.text(o.transaction_id, 'transaction_id', true);
  const externalCustomerId = c.text(o.external_customer_id, 'external_customer_id', true);
  const ts = c.timestamp(o.timestamp, w);
  const provider = c.text(o.provider, 'provider', true);
  const model = c.text(o.model, 'model', true);
  const usage = c.usage(o.usage);
  const cost = c.cost(o.cost);
  const taskId = c.text(o.task_id, 'task_id', false);
  const traceId = c.text(o.trace_id, 'trace_id', false);
  const sessionId = c.text(o.session_id, 'session_id', false);
  const feature = c.text(o.feature, 'feature', false);
  const status = o.status ?? 'success';
  if (!(EVENT_STATUSES as readonly unknown[]).includes(status))
    c.fail('status', `must be one of ${EVENT_STATUSES.map((s) => `"${s}"`).join(', ')}`);
  const retryOf = c.text(o.retry_of, 'retry_of', false);
  const metadata = c.metadata(o.metadata);

  if (c.problems !== null) {
    const details = c.problems;
    return {
      // A timestamp outside the window is its own code, so a client can tell it from a malformed event.
      code: c.outOfRange && details.length === 1 ? 'timestamp_out_of_range' : 'invalid_event',
      message: details.map((p) => (p.field ? `${p.field} ${p.message}` : p.message)).join('; '),
      details,
    };
  }
  const event: ValidEvent = {
    transactionId: transactionId!,
    externalCustomerId: externalCustomerId!,
    occurredAt: ts ?? w.now,
    timestampProvided: ts !== null,
    provider: provider!,
    model: model!,
    usage,
    cost,
    taskId,
    traceId,
    sessionId,
    feature,
    status: status as ValidEvent['status'],
    retryOf,
    metadata,
    contentHash: EMPTY,
  };
  event.contentHash = contentHash(event);
  return event;
}

export function isEventError(v: ValidEvent | EventError): v is EventError {
  return (v as EventError).code !== undefined;
}

export type { UsageDimension };
