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
  408: 'request_timeout',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

// Nest turns Fastify's own errors (body too large, no parser for the type) into HttpExceptions carrying
// only status and Fastify's wording: these say it in the API's words.
const MESSAGES: Record<number, string> = {
  413: 'the request body is larger than 2 MiB',
  415: 'the body must be JSON: send Content-Type: application/json (UTF-8)',
};

/** Any thrown thing as an ApiError: storage outages are 503 with Retry-After, never a 500. */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof BillingError) return fromBillingError(exception);
  if (isUnavailableError(exception)) return ApiError.unavailable();
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = MESSAGES[status] ?? httpExceptionMessage(exception);
    return new ApiError(status, CODES[status] ?? (status >= 500 ? 'internal' : 'invalid_request'), message);
  }
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError(
      fastifyError.statusCode,
      CODES[fastifyError.statusCode] ?? 'invalid_request',
      fastifyError.message ?? 'bad request',
    );
  }
  return new ApiError(500, 'internal', 'internal error');
}

/** An HttpException's words: its response when that is text, else the response's `message` (one or several), else its own. */
function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string')) return message.join('; ');
  return exception.message;
}

const BILLING_STATUS = { not_found: 404, conflict: 409, invalid: 400, forbidden: 403 } as const;

/** What a use case refused, with its status. */
function fromBillingError(e: BillingError): ApiError {
  return new ApiError(BILLING_STATUS[e.kind], e.code, e.message, e.details);
}
