import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error';
import { ROUTE_SCHEMAS, validationError } from './validate';

/**
 * Input an operation does not declare is refused like an unknown field: query parameters where it has no
 * query schema, a body where it has no body schema (an empty one, `{}` or nothing, is fine). The request guard
 * (AuthGuard) checks it once the key is admitted: an interceptor would cost every request Nest's interceptor
 * chain (rxjs and an async resource per call), a large share of an entitlement check's CPU.
 */
export function refuseUndeclaredInput(ctx: ExecutionContext): void {
  const route = ROUTE_SCHEMAS.get(`${ctx.getClass().name}_${ctx.getHandler().name}`);
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!route?.query) {
    const names = Object.keys((req.query as object | undefined) ?? {});
    if (names.length > 0)
      throw validationError(
        'query',
        names.map((field) => ({ field, message: 'is not a known field' })),
      );
  }
  if (!route?.body) {
    const body = req.body;
    const empty =
      body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
    if (!empty) throw validationError('body', [{ field: 'body', message: 'must be absent: this operation takes no body' }]);
  }
}

/** The request target as RFC 3986 allows it: ASCII, each %XX valid, the query's escapes valid UTF-8. */
export function urlProblem(url: string): ApiError | null {
  // Raw non-ASCII bytes would be read as Latin-1 and silently become other characters.
  if (/[^\x21-\x7e]/.test(url)) return ApiError.invalidRequest('the URL must be ASCII: percent-encode other characters (as UTF-8)');
  if (/%(?![0-9A-Fa-f]{2})/.test(url)) return ApiError.invalidRequest('the URL has a "%" that does not start a %XX escape');
  const q = url.indexOf('?');
  if (q >= 0) {
    for (const part of url.slice(q + 1).split(/[&=]/)) {
      try {
        decodeURIComponent(part);
      } catch {
        return ApiError.invalidRequest('the query string is not valid: a percent-encoded part is not UTF-8');
      }
    }
  }
  return null;
}
