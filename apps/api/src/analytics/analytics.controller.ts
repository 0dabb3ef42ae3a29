import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetMarginReport } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { Responds, ValidQuery } from '../common/schema/validate';
import { MarginQuery, MarginReport } from './analytics.schema';

@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1/analytics')
@Scopes('admin')
export class AnalyticsController {
  constructor(private readonly margin: GetMarginReport) {}

  @Get('margin')
  @ApiOperation({ summary: 'Provider cost, billed revenue and margin of a range of days, by one or two dimensions' })
  @Responds(200, MarginReport, 'Per group and in total')
  marginReport(@Principal() key: KeyPrincipal, @ValidQuery(MarginQuery) q: z.output<typeof MarginQuery>) {
    return this.margin.execute({ organizationId: key.organizationId, from: q.from, to: q.to, groupBy: q.group_by ?? ['customer'] });
  }
}
