import { Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CloseCustomerPeriod, invoiceJson } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { object, text } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath } from '../common/schema/validate';
import { ClosePeriodRequest, Invoice } from './invoice.schema';

const CustomerPath = object({ id: text(255, { description: "The customer's external_id." }) });

@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/customers/:id/invoices')
@Scopes('admin')
export class CustomerInvoicesController {
  constructor(private readonly closePeriod: CloseCustomerPeriod) {}

  @Post('close')
  @ApiOperation({
    summary: "Close the customer's current period at period_end (default now)",
    description:
      'Returns its invoice: finalized at once when the plan has no grace period and needs no approval, else a draft. Closing a closed period returns its invoice.',
  })
  @Responds(200, Invoice, 'The invoice of the period', { 409: ['nothing_to_bill'] })
  async close(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: z.output<typeof CustomerPath>,
    @ValidBody(ClosePeriodRequest) body: z.output<typeof ClosePeriodRequest>,
  ) {
    const periodEnd = body?.period_end;
    return invoiceJson(
      await this.closePeriod.execute({ organizationId: key.organizationId, externalId: id, ...(periodEnd ? { periodEnd } : {}) }),
      {
        costs: key.scope === 'admin',
      },
    );
  }
}
