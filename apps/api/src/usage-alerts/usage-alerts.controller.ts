import { Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetUsageAlerts, SetUsageAlerts } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { Responds, ValidBody, ValidPath } from '../common/schema/validate';
import { CustomerPath } from '../customers/customer.schema';
import { UsageAlerts, UsageAlertsRequest } from './usage-alerts.schema';

type Path = z.output<typeof CustomerPath>;

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers/:id/usage_alerts')
@Scopes('admin')
export class UsageAlertsController {
  constructor(
    private readonly setAlerts: SetUsageAlerts,
    private readonly getAlerts: GetUsageAlerts,
  ) {}

  @Get()
  @ApiOperation({ summary: "The customer's usage alert amounts" })
  @Responds(200, UsageAlerts, 'The amounts')
  get(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.getAlerts.execute({ organizationId: key.organizationId, externalId: id });
  }

  @Put()
  @ApiOperation({
    summary: 'Set the amounts of period usage (as invoiced) at which usage.threshold_crossed is sent, once per period and amount',
  })
  @Responds(200, UsageAlerts, 'The amounts as set')
  put(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: Path,
    @ValidBody(UsageAlertsRequest) body: z.output<typeof UsageAlertsRequest>,
  ) {
    return this.setAlerts.execute({ organizationId: key.organizationId, externalId: id, thresholds: body.thresholds });
  }
}
