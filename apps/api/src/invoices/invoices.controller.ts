import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FinalizeInvoice, GetInvoice, invoiceJson, ListInvoices, ReissueInvoice, VoidInvoice } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { INVOICE_SCHEMA } from './invoice.schema';
import { ListInvoicesParams, readListInvoicesQuery, writeInvoiceCursor } from './list-invoices-input';
import { readVoidInput } from './void-invoice-input';

/** Costs (provider_cost, floor_applied) are the operator's: admin keys see them. */
const costsFor = (key: KeyPrincipal) => ({ costs: key.scope === 'admin' });

@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/invoices')
@Scopes('admin')
export class InvoicesController {
  constructor(
    private readonly listInvoices: ListInvoices,
    private readonly getInvoice: GetInvoice,
    private readonly finalizeInvoice: FinalizeInvoice,
    private readonly voidInvoice: VoidInvoice,
    private readonly reissueInvoice: ReissueInvoice,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Invoices, newest period first; a draft as computed now' })
  @ApiQuery({ name: 'external_customer_id', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['draft', 'finalized', 'paid', 'payment_failed', 'void'] })
  @ApiQuery({ name: 'from', required: false, description: "bound on the period's start (inclusive)" })
  @ApiQuery({ name: 'to', required: false, description: "bound on the period's start (exclusive)" })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({ schema: { type: 'object', properties: { data: { type: 'array', items: INVOICE_SCHEMA }, next_cursor: { type: 'string', nullable: true } } } })
  async list(@Principal() key: KeyPrincipal, @Query() query: ListInvoicesParams) {
    const page = await this.listInvoices.execute(readListInvoicesQuery(key.organizationId, query));
    return { data: page.invoices.map((v) => invoiceJson(v, costsFor(key))), next_cursor: writeInvoiceCursor(page.nextAfter) };
  }

  @Get(':id')
  @ApiOkResponse({ schema: INVOICE_SCHEMA })
  async get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return invoiceJson(await this.getInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }

  @Post(':id/finalize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a draft: finalize it now (numbered, immutable)' })
  @ApiOkResponse({ schema: INVOICE_SCHEMA })
  async finalize(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return invoiceJson(await this.finalizeInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }

  @Post(':id/void')
  @HttpCode(200)
  @ApiOperation({ summary: 'Void an invoice (not a paid one); it keeps its number and the reason' })
  @ApiBody({ schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', maxLength: 500 } } } })
  @ApiOkResponse({ schema: INVOICE_SCHEMA })
  async void(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    const { reason } = readVoidInput(body);
    return invoiceJson(await this.voidInvoice.execute({ organizationId: key.organizationId, invoiceId: id, reason }), costsFor(key));
  }

  @Post(':id/reissue')
  @HttpCode(200)
  @ApiOperation({ summary: "Invoice a void invoice's period again, computed now" })
  @ApiOkResponse({ schema: INVOICE_SCHEMA })
  async reissue(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return invoiceJson(await this.reissueInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }
}
