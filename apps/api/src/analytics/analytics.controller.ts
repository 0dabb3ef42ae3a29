import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetCacheSavings, GetMarginCliff, GetMarginReport, GetTaskCosts, ListPriceChanges } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidQuery } from '../common/schema/validate';
import {
  CacheSavings,
  CacheSavingsQuery,
  MarginCliff,
  MarginQuery,
  MarginReport,
  PriceChangeList,
  PriceChangesQuery,
  TaskCosts,
  TaskCostsQuery,
} from './analytics.schema';

@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1/analytics')
@Scopes('admin')
export class AnalyticsController {
  constructor(
    private readonly margin: GetMarginReport,
    private readonly cliff: GetMarginCliff,
    private readonly taskCosts: GetTaskCosts,
    private readonly cache: GetCacheSavings,
    private readonly priceChanges: ListPriceChanges,
  ) {}

  @Get('margin')
  @ApiOperation({ summary: 'Provider cost, billed revenue and margin of a range of days, by one or two dimensions' })
  @Responds(200, MarginReport, 'Per group and in total')
  marginReport(@Principal() key: KeyPrincipal, @ValidQuery(MarginQuery) q: z.output<typeof MarginQuery>) {
    return this.margin.execute({ organizationId: key.organizationId, from: q.from, to: q.to, groupBy: q.group_by ?? ['customer'] });
  }

  @Get('margin_cliff')
  @ApiOperation({ summary: 'Customers below the target margin (current period projected, or last period), by money at risk' })
  @Responds(200, MarginCliff, 'The customers, their drivers and the fix')
  marginCliff(@Principal() key: KeyPrincipal) {
    return this.cliff.execute({ organizationId: key.organizationId });
  }

  @Get('tasks')
  @ApiOperation({ summary: 'Cost per task per task kind, retries’ share, the longest agent loops' })
  @Responds(200, TaskCosts, 'Per task kind, and the longest tasks')
  tasks(@Principal() key: KeyPrincipal, @ValidQuery(TaskCostsQuery) q: z.output<typeof TaskCostsQuery>) {
    return this.taskCosts.execute({ organizationId: key.organizationId, from: q.from, to: q.to, longest: q.longest ?? 20 });
  }

  @Get('cache_savings')
  @ApiOperation({ summary: 'What prompt caching saved, per customer and model and per day' })
  @Responds(200, CacheSavings, 'Savings, extra write cost, net and hit rate')
  cacheSavings(@Principal() key: KeyPrincipal, @ValidQuery(CacheSavingsQuery) q: z.output<typeof CacheSavingsQuery>) {
    return this.cache.execute({ organizationId: key.organizationId, from: q.from, to: q.to, limit: q.limit ?? DEFAULT_LIMIT });
  }

  @Get('price_changes')
  @ApiOperation({ summary: 'Provider price changes and their impact on each customer’s last complete period, newest first' })
  @Responds(200, PriceChangeList, 'A page of price changes')
  async priceChangeList(@Principal() key: KeyPrincipal, @ValidQuery(PriceChangesQuery) q: z.output<typeof PriceChangesQuery>) {
    const page = await this.priceChanges.execute({
      organizationId: key.organizationId,
      before: q.cursor === undefined ? null : BigInt(q.cursor),
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.changes, next_cursor: page.nextBefore === null ? null : encodeCursor(page.nextBefore) };
  }
}
