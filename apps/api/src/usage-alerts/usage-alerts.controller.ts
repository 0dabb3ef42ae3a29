import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetUsageAlerts, SetUsageAlerts } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { readUsageAlertsInput } from './usage-alerts-input';

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
  get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return this.getAlerts.execute({ organizationId: key.organizationId, externalId: id });
  }

  @Put()
  @ApiOperation({ summary: 'Set the amounts of period usage (as invoiced) at which usage.threshold_crossed is sent, once per period and amount' })
  @ApiBody({ schema: { type: 'object', required: ['thresholds'], properties: { thresholds: { type: 'array', maxItems: 20, items: { type: 'string', example: '100.00' } } } } })
  put(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.setAlerts.execute({ organizationId: key.organizationId, externalId: id, ...readUsageAlertsInput(body) });
  }
}
