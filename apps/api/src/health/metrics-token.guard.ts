import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { CONFIG, metricsAuthorized, type TollgateConfig } from '@tollgate/config';
import { ApiError } from '../common/api-error';

/** GET /metrics behind METRICS_TOKEN when it is set. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: TollgateConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const { authorization } = ctx.switchToHttp().getRequest().headers;
    if (metricsAuthorized(authorization, this.config.metricsToken)) return true;
    throw new ApiError(401, 'unauthorized', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"', undefined, {
      'www-authenticate': 'Bearer',
    });
  }
}
