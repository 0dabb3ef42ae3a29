// What a failed Stripe call means for the queue that will own retries: try again (after retryAfterMs when
// Stripe said so) or stop. Plain classes, so libs/billing can catch them without the `stripe` package.

export type StripeOperation =
  | 'customers.create'
  | 'customers.retrieve'
  | 'invoices.create'
  | 'invoices.add_lines'
  | 'invoices.finalize'
  | 'invoices.void'
  | 'invoices.retrieve'
  | 'invoices.list'
  | 'invoices.list_lines';

export interface StripeFailure {
  operation: StripeOperation;
  message: string;
  /** HTTP status; undefined when no response came (network error, timeout). */
  statusCode?: number;
  /** Stripe's error type and code, e.g. invalid_request_error / resource_missing. */
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
  /** The response came from Stripe's idempotency store (`Idempotent-Replayed: true`): retrying the same key gets it again. */
  replayed?: boolean;
}

export abstract class StripeGatewayError extends Error {
  abstract readonly retryable: boolean;
  readonly operation: StripeOperation;
  readonly statusCode?: number;
  readonly type?: string;
  readonly code?: string;
  readonly param?: string;
  readonly requestId?: string;
  readonly replayed: boolean;

  constructor(failure: StripeFailure) {
    super(`Stripe ${failure.operation}: ${failure.message}`);
    this.name = new.target.name;
    this.operation = failure.operation;
    this.statusCode = failure.statusCode;
    this.type = failure.type;
    this.code = failure.code;
    this.param = failure.param;
    this.requestId = failure.requestId;
    this.replayed = failure.replayed ?? false;
  }
}

export type RetryableReason = 'rate_limited' | 'server_error' | 'conflict' | 'network' | 'timeout';

/**
 * 429, 409 (lock or key in use), 5xx, a network error or a timeout. A timed-out or dropped write may have
 * committed on Stripe: retry it with the same idempotency key to get the committed object back.
 */
export class StripeRetryableError extends StripeGatewayError {
  readonly retryable = true;
  constructor(
    failure: StripeFailure,
    readonly reason: RetryableReason,
    /** From Retry-After on a 429, when Stripe sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(failure);
  }
}

export type PermanentReason = 'invalid_request' | 'not_found' | 'idempotency' | 'authentication' | 'permission' | 'card' | 'invalid_amount';

/** Retrying cannot help: a 4xx other than 409/429, an idempotency_error, or an amount we refuse to send. */
export class StripePermanentError extends StripeGatewayError {
  readonly retryable = false;
  constructor(
    failure: StripeFailure,
    readonly reason: PermanentReason,
  ) {
    super(failure);
  }
}

export type WebhookRejection = 'no_secret' | 'missing_signature' | 'stale' | 'invalid';

/** A webhook delivery whose signature does not hold: answer 400, never act on it. */
export class StripeWebhookSignatureError extends Error {
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
    this.name = 'StripeWebhookSignatureError';
  }
}
