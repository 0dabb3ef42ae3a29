import { hash } from 'node:crypto';
import Decimal from 'decimal.js';
import { USAGE_DIMENSIONS, UsageDimension } from '@tollgate/pricing';

// One event of POST /v1/events checked against docs/api.md ("Events"). A problem rejects that event only.

export const MAX_TOKENS = 1_000_000_000_000; // 10^12 per dimension
const MAX_ID = 255;
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_BYTES = 4096;
const ALLOWED_FIELDS = new Set([
  'transaction_id', 'external_customer_id', 'timestamp', 'provider', 'model', 'usage', 'cost',
  'task_id', 'trace_id', 'session_id', 'feature', 'status', 'retry_of', 'metadata',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DECIMAL = /^\d{1,20}(\.\d{1,30})?$/;
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
  status: 'success' | 'error' | 'usage_unknown';
  retryOf: string | null;
  metadata: Record<string, string> | null;
  contentHash: Buffer;
}

export interface EventError {
  code: 'invalid_event' | 'timestamp_out_of_range';
  message: string;
}

export interface ValidationWindow {
  now: number;
  maxFutureMs: number;
  backfillMs: number;
}

class Invalid extends Error {
  constructor(readonly code: EventError['code'], message: string) {
    super(message);
  }
}

function characters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++; // a surrogate pair is one character
    n++;
  }
  return n;
}

function string(v: unknown, field: string, required: boolean, max = MAX_ID): string | null {
  if (v === undefined || v === null) {
    if (required) throw new Invalid('invalid_event', `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') throw new Invalid('invalid_event', `${field} must be a string`);
  if (v.length === 0) throw new Invalid('invalid_event', `${field} must not be empty`);
  if (v.length > max && characters(v) > max) {
    throw new Invalid('invalid_event', `${field} must be at most ${max} characters`);
  }
  if (v.includes('\u0000')) throw new Invalid('invalid_event', `${field} must not contain U+0000`);
  return v;
}

function timestamp(v: unknown, w: ValidationWindow): number | null {
  if (v === undefined || v === null) return null;
  let ms: number;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Invalid('invalid_event', 'timestamp in Unix milliseconds must be an integer');
    ms = v;
  } else if (typeof v === 'string') {
    if (!RFC3339.test(v)) throw new Invalid('invalid_event', 'timestamp must be an RFC 3339 string or Unix milliseconds');
    ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new Invalid('invalid_event', 'timestamp is not a valid date');
  } else {
    throw new Invalid('invalid_event', 'timestamp must be an RFC 3339 string or Unix milliseconds');
  }
  if (ms > w.now + w.maxFutureMs) {
    throw new Invalid('timestamp_out_of_range', `timestamp is more than ${w.maxFutureMs / 1000} seconds in the future`);
  }
  if (ms < w.now - w.backfillMs) {
    throw new Invalid('timestamp_out_of_range', `timestamp is older than the backfill window of ${w.backfillMs / 86_400_000} days`);
  }
  return ms;
}

const DEFAULT_COUNTS: readonly number[] = USAGE_DIMENSIONS.map((d) => (d === 'requests' ? 1 : 0));

function usage(v: unknown): number[] {
  const counts = DEFAULT_COUNTS.slice();
  if (v === undefined || v === null) return counts;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Invalid('invalid_event', 'usage must be an object');
  for (const key in v as Record<string, unknown>) {
    const index = DIMENSION_INDEX.get(key);
    if (index === undefined) {
      throw new Invalid('invalid_event', `usage.${key} is not a usage dimension (known: ${USAGE_DIMENSIONS.join(', ')})`);
    }
    const n = (v as Record<string, unknown>)[key];
    if (n === null) continue;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_TOKENS) {
      throw new Invalid('invalid_event', `usage.${key} must be an integer from 0 to 10^12`);
    }
    counts[index] = n;
  }
  return counts;
}

function cost(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Invalid('invalid_event', 'cost must be a decimal string, e.g. "0.0042"');
  if (!DECIMAL.test(v)) throw new Invalid('invalid_event', 'cost must be a non-negative decimal string, e.g. "0.0042"');
  return new Decimal(v).toFixed(); // "0.10" and "0.1" are the same cost
}

function metadata(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Invalid('invalid_event', 'metadata must be an object of strings');
  const keys = Object.keys(v);
  if (keys.length > MAX_METADATA_KEYS) throw new Invalid('invalid_event', `metadata may have at most ${MAX_METADATA_KEYS} keys`);
  for (const k of keys) {
    const value = (v as Record<string, unknown>)[k];
    if (typeof value !== 'string') throw new Invalid('invalid_event', `metadata.${k} must be a string`);
    if (value.includes('\u0000') || k.includes('\u0000')) throw new Invalid('invalid_event', 'metadata must not contain U+0000');
  }
  if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) {
    throw new Invalid('invalid_event', 'metadata must be at most 4 KiB as UTF-8 JSON');
  }
  return v as Record<string, string>;
}

function sortedEntries(m: Record<string, string> | null): [string, string][] | null {
  return m === null ? null : Object.keys(m).sort().map((k) => [k, m[k]]);
}

const EMPTY = Buffer.alloc(0);

/** The content a retry must repeat exactly to count as a duplicate (absent and null are the same). */
function contentHash(e: Omit<ValidEvent, 'contentHash'>): Buffer {
  const canonical = JSON.stringify([
    e.externalCustomerId, e.timestampProvided ? e.occurredAt : null, e.provider, e.model, e.usage, e.cost,
    e.taskId, e.traceId, e.sessionId, e.feature, e.status, e.retryOf, sortedEntries(e.metadata),
  ]);
  return hash('sha256', canonical, 'buffer'); // one call: createHash().update().digest() cost twice as much per event
}

export function validateEvent(raw: unknown, w: ValidationWindow): ValidEvent | EventError {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new Invalid('invalid_event', 'an event must be a JSON object');
    }
    const o = raw as Record<string, unknown>;
    for (const key in o) {
      if (!ALLOWED_FIELDS.has(key)) throw new Invalid('invalid_event', `unknown field "${key}"`);
    }
    const status = o.status ?? 'success';
    if (status !== 'success' && status !== 'error' && status !== 'usage_unknown') {
      throw new Invalid('invalid_event', 'status must be "success", "error" or "usage_unknown"');
    }
    const ts = timestamp(o.timestamp, w);
    const event: ValidEvent = {
      transactionId: string(o.transaction_id, 'transaction_id', true)!,
      externalCustomerId: string(o.external_customer_id, 'external_customer_id', true)!,
      occurredAt: ts ?? w.now,
      timestampProvided: ts !== null,
      provider: string(o.provider, 'provider', true)!,
      model: string(o.model, 'model', true)!,
      usage: usage(o.usage),
      cost: cost(o.cost),
      taskId: string(o.task_id, 'task_id', false),
      traceId: string(o.trace_id, 'trace_id', false),
      sessionId: string(o.session_id, 'session_id', false),
      feature: string(o.feature, 'feature', false),
      status: status as ValidEvent['status'],
      retryOf: string(o.retry_of, 'retry_of', false),
      metadata: metadata(o.metadata),
      contentHash: EMPTY,
    };
    event.contentHash = contentHash(event);
    return event;
  } catch (err) {
    if (err instanceof Invalid) return { code: err.code, message: err.message };
    throw err;
  }
}

export function isEventError(v: ValidEvent | EventError): v is EventError {
  return (v as EventError).code !== undefined;
}

export type { UsageDimension };
