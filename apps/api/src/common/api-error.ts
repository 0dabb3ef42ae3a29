import { HttpStatus } from '@nestjs/common';

// The one error shape of the API (docs/input.md "Errors"): {"error": {"code", "message", "details"?}}.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  static invalidRequest(message: string, details?: unknown[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'invalid_request', message, details);
  }

  static notFound(what: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);
  }

  static unavailable(retryAfterSeconds = 2): ApiError {
    return new ApiError(
      HttpStatus.SERVICE_UNAVAILABLE,
      'unavailable',
      'storage is unavailable; nothing was stored, retry later',
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

export function errorBody(code: string, message: string, details?: unknown[]) {
  return { error: details ? { code, message, details } : { code, message } };
}
