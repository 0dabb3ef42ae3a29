import type { Usage } from './dimensions';

export type EventStatus = 'success' | 'error' | 'usage_unknown';

/** What the agent reports for one model call. Only `model` and a customer (here or from the task) are required. */
export interface TrackEvent {
  provider?: string;
  model: string;
  usage: Usage;
  /** External customer id; defaults to the enclosing `task()`'s customer. */
  customer?: string;
  /** Cost the provider reported (e.g. OpenRouter `usage.cost`), USD, as a decimal string. */
  cost?: string;
  /**
   * `usage_unknown`: the call happened but its usage could not be read (a normaliser's `status`); the
   * server stores it unpriced for an operator to see, never priced at zero. Default `success`.
   */
  status?: EventStatus;
  /** transaction_id of the failed call this one repeats. */
  retryOf?: string;
  taskId?: string;
  traceId?: string;
  sessionId?: string;
  feature?: string;
  metadata?: Record<string, string>;
  /** When the call happened; default: now (at track time, so a retried delivery sends the same instant). */
  timestamp?: Date | number;
  /** Your own idempotency key; default: a UUIDv7 made at track time. */
  transactionId?: string;
}

/** The event exactly as `POST /v1/events` takes it (API.md "Events"). */
export interface WireEvent {
  transaction_id: string;
  external_customer_id: string;
  /** Unix milliseconds (API.md accepts them as well as RFC 3339). */
  timestamp: number;
  provider?: string;
  model: string;
  usage: Usage;
  cost?: string;
  status?: EventStatus;
  retry_of?: string;
  task_id?: string;
  trace_id?: string;
  session_id?: string;
  feature?: string;
  metadata?: Record<string, string>;
}

export type DeliveryStatus = 'accepted' | 'duplicate' | 'rejected';

export interface DeliveryResult {
  transaction_id: string;
  status: DeliveryStatus;
  error?: { code: string; message: string };
}

export type DropReason = 'queue_full' | 'invalid' | 'shutdown' | 'delivery_failed';

/** Something the agent's owner should look at, though nothing failed: a call sent without readable usage. */
export interface TollgateWarning {
  code: 'usage_unknown';
  message: string;
  transactionId: string;
  provider?: string;
  model: string;
}

export interface TollgateStats {
  queued: number;
  inFlight: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  dropped: number;
  retries: number;
  /** Calls tracked with `status: "usage_unknown"` (their usage could not be read). */
  usageUnknown: number;
}
