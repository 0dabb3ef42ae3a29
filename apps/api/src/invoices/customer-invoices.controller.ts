import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CloseCustomerPeriod, invoiceJson } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { readClosePeriodInput } from './close-period-input';
import { INVOICE_SCHEMA } from './invoice.schema';

@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/customers/:id/invoices')
@Scopes('admin')
export class CustomerInvoicesController {
  constructor(private readonly closePeriod: CloseCustomerPeriod) {}

  @Post('close')
  @HttpCode(200)
  @ApiOperation({
    summary: "Close the customer's current period at period_end (default now)",
    description: 'Returns its invoice: finalized at once when the plan has no grace period and needs no approval, else a draft. Closing a closed period returns its invoice.',
  })
  @ApiBody({ required: false, schema: { type: 'object', properties: { period_end: { type: 'string', format: 'date-time' } } } })
  @ApiOkResponse({ schema: INVOICE_SCHEMA })
  async close(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    const input = readClosePeriodInput(body);
    return invoiceJson(await this.closePeriod.execute({ organizationId: key.organizationId, externalId: id, ...input }), { costs: key.scope === 'admin' });
  }
}
