import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { DatabaseStatus } from '@tollgate/db';
import { Metrics } from '../common/metrics';
import { Responds } from '../common/schema/validate';
import { Health, Readiness } from './health.schema';
import { TOKENS } from '../common/tokens';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly database: DatabaseStatus,
    @Inject(TOKENS.redis) private readonly redis: Redis,
    private readonly metrics: Metrics,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'The process is up' })
  @Responds(200, Health, 'Up')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Ready to serve: Postgres and Redis reachable, migrations applied' })
  @Responds(200, Readiness, 'Ready')
  @Responds(503, Readiness, 'Not ready: the checks say which dependency')
  async readyz(@Res() reply: FastifyReply) {
    const checks: Record<string, string> = {};
    try {
      const pending = await this.database.pendingMigrations();
      checks.postgres = 'ok';
      checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')} (run \`npm run db:migrate\`)`;
    } catch (err) {
      checks.postgres = `unreachable: ${(err as Error).message}`;
      checks.migrations = 'unknown';
    }
    try {
      await this.redis.ping();
      checks.redis = 'ok';
    } catch (err) {
      checks.redis = `unreachable: ${(err as Error).message}`;
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4')
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
