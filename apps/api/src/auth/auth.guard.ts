import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Scope } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { refuseUndeclaredInput } from '../common/schema/undeclared-input';
import { TOKENS } from '../common/tokens';
import { ApiKeyAuth } from './api-key-auth';
import { PRINCIPAL } from './principal.decorator';
import { RateLimiter } from './rate-limiter';
import { SCOPES } from './scopes.decorator';

/** Admits a request: its API key (scope, rate limit), then only the input its operation declares. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: ApiKeyAuth,
    @Inject(TOKENS.rateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES, [ctx.getHandler(), ctx.getClass()]);
    if (!scopes) {
      refuseUndeclaredInput(ctx);
      return true;
    }
    const request = ctx.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new ApiError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    // The client's address as TRUST_PROXY says to read it.
    const principal = await this.auth.principalOf(match[1], request.ip);
    if (principal.scope !== 'admin' && !scopes.includes(principal.scope)) {
      throw new ApiError(403, 'forbidden', `a key with scope "${principal.scope}" may not call this endpoint`);
    }
    const wait = this.limiter.take(principal.keyId);
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', 'too many requests for this API key', undefined, { 'retry-after': String(wait) });
    }
    request[PRINCIPAL] = principal;
    refuseUndeclaredInput(ctx);
    return true;
  }
}
