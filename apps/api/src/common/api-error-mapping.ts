import { HttpException } from '@nestjs/common';
import { BillingError } from '@tollgate/billing';
import { isUnavailableError } from '@tollgate/db';
import { ApiError } from './api-error';

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'invalid_request',
  413: 'payload_too_large',
  415: 'invalid_request',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Any thrown thing as an ApiError: storage outages are 503 with Retry-After, never a 500. */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof BillingError) return fromBillingError(exception);
  if (isUnavailableError(exception)) return ApiError.unavailable();
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
    return new ApiError(status, CODES[status] ?? (status >= 500 ? 'internal' : 'invalid_request'), String(message));
  }
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (fastifyError?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError(413, 'payload_too_large', 'request body is larger than 2 MiB');
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError(fastifyError.statusCode, CODES[fastifyError.statusCode] ?? 'invalid_request', fastifyError.message ?? 'bad request');
  }
  return new ApiError(500, 'internal', 'internal error');
}

const BILLING_STATUS = { not_found: 404, conflict: 409, invalid: 400, forbidden: 403 } as const;

/** What a use case refused, with its status. */
function fromBillingError(e: BillingError): ApiError {
  return new ApiError(BILLING_STATUS[e.kind], e.code, e.message, e.details);
}
