import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysRepository, KeyPrincipal, Scope } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { TOKENS } from '../common/tokens';
import { PRINCIPAL } from './principal.decorator';
import { RateLimiter } from './rate-limiter';
import { SCOPES } from './scopes.decorator';

const CACHE_MS = 10_000; // a revoked key stops working within this long

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: KeyPrincipal | null; until: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysRepository,
    @Inject(TOKENS.rateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES, [ctx.getHandler(), ctx.getClass()]);
    if (!scopes) return true;
    const request = ctx.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new ApiError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    const principal = await this.lookup(match[1]);
    if (!principal) throw new ApiError(401, 'unauthorized', 'invalid or revoked API key');
    if (principal.scope !== 'admin' && !scopes.includes(principal.scope)) {
      throw new ApiError(403, 'forbidden', `a key with scope "${principal.scope}" may not call this endpoint`);
    }
    const wait = this.limiter.take(principal.keyId);
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', 'too many requests for this API key', undefined, { 'retry-after': String(wait) });
    }
    request[PRINCIPAL] = principal;
    return true;
  }

  private async lookup(key: string): Promise<KeyPrincipal | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await this.keys.findByKey(key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + CACHE_MS });
    return principal;
  }
}
