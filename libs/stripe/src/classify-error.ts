import Stripe from 'stripe';
import {
  type PermanentReason,
  type StripeFailure,
  StripeGatewayError,
  type StripeOperation,
  StripePermanentError,
  StripeRetryableError,
} from './errors';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After in seconds (what Stripe sends) or as an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function permanentReason(statusCode: number | undefined, error: Stripe.errors.StripeError): PermanentReason {
  if (error instanceof Stripe.errors.StripeIdempotencyError) return 'idempotency';
  if (statusCode === 401) return 'authentication';
  if (statusCode === 403) return 'permission';
  if (statusCode === 402) return 'card';
  if (statusCode === 404) return 'not_found';
  return 'invalid_request';
}

/**
 * Stripe SDK errors as retryable or permanent (libs/stripe/README.md, "Errors"). Anything that is not a
 * Stripe error (a bug of ours) is returned unchanged.
 */
export function classifyStripeError(operation: StripeOperation, error: unknown): unknown {
  if (error instanceof StripeGatewayError || !(error instanceof Stripe.errors.StripeError)) return error;
  const headers = error.headers as Headers | undefined;
  const failure: StripeFailure = {
    operation,
    message: error.message,
    statusCode: error.statusCode,
    type: error.rawType,
    code: error.code,
    param: error.param,
    requestId: error.requestId ?? header(headers, 'request-id'),
    replayed: header(headers, 'idempotent-replayed') === 'true',
  };
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const detail = error.detail as { code?: string } | undefined;
    return new StripeRetryableError(failure, detail?.code === 'ETIMEDOUT' ? 'timeout' : 'network');
  }
  const status = error.statusCode;
  if (status === 429 || error instanceof Stripe.errors.StripeRateLimitError) {
    return new StripeRetryableError(failure, 'rate_limited', retryAfterMs(header(headers, 'retry-after')));
  }
  // 409: a lock timeout or the same key still in flight; Stripe asks for a retry (the SDK itself would retry it).
  if (status === 409 || header(headers, 'stripe-should-retry') === 'true') return new StripeRetryableError(failure, 'conflict');
  if (status === undefined || status >= 500) return new StripeRetryableError(failure, 'server_error');
  return new StripePermanentError(failure, permanentReason(status, error));
}
