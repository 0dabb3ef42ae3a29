import { Controller, Get, Header, Inject, Logger, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { DatabaseStatus } from '@tollgate/db';
import { Metrics } from '../common/metrics';
import { Responds } from '../common/schema/validate';
import { Health, Readiness } from './health.schema';
import { TOKENS } from '../common/tokens';
import { MetricsTokenGuard } from './metrics-token.guard';

type Check = 'ok' | 'down' | 'pending' | 'unknown';

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly logger = new Logger('health');
  /** Dependencies down at the last /readyz: a dependency's error is logged once when it goes down, never answered. */
  private readonly down = new Set<string>();

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
  @ApiOperation({ summary: 'Ready to serve: Postgres and Redis reachable, migrations applied; which dependency is down, never its error' })
  @Responds(200, Readiness, 'Ready')
  @Responds(503, Readiness, 'Not ready: the checks say which dependency')
  async readyz(@Res() reply: FastifyReply) {
    const checks: Record<'postgres' | 'migrations' | 'redis', Check> = { postgres: 'ok', migrations: 'ok', redis: 'ok' };
    try {
      checks.migrations = (await this.database.pendingMigrations()).length === 0 ? 'ok' : 'pending';
      this.up('postgres');
    } catch (err) {
      checks.postgres = 'down';
      checks.migrations = 'unknown';
      this.wentDown('postgres', err);
    }
    try {
      await this.redis.ping();
      this.up('redis');
    } catch (err) {
      checks.redis = 'down';
      this.wentDown('redis', err);
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @UseGuards(MetricsTokenGuard)
  @Header('content-type', 'text/plain; version=0.0.4')
  async prometheus() {
    return this.metrics.registry.metrics();
  }

  private wentDown(dependency: string, err: unknown) {
    if (!this.down.has(dependency)) this.logger.warn({ msg: `readyz: ${dependency} is down`, err: (err as Error).message });
    this.down.add(dependency);
  }

  private up(dependency: string) {
    this.down.delete(dependency);
  }
}
