import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { FinalizeInvoice, GetInvoice, invoiceJson, ListInvoices, MarkInvoicePaid, ReissueInvoice, VoidInvoice } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { Invoice, InvoiceList, InvoiceListQuery, InvoicePath, VoidInvoiceRequest, writeInvoiceCursor } from './invoice.schema';

type Path = z.output<typeof InvoicePath>;

/** Costs (provider_cost, floor_applied) are the operator's: admin keys see them, a portal view will not. */
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
    private readonly markInvoicePaid: MarkInvoicePaid,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Invoices, newest period first; a draft as computed now' })
  @Responds(200, InvoiceList, 'A page of invoices')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(InvoiceListQuery) q: z.output<typeof InvoiceListQuery>) {
    const page = await this.listInvoices.execute({
      organizationId: key.organizationId,
      ...(q.external_customer_id === undefined ? {} : { externalCustomerId: q.external_customer_id }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.from === undefined ? {} : { from: q.from }),
      ...(q.to === undefined ? {} : { to: q.to }),
      after: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.invoices.map((v) => invoiceJson(v, costsFor(key))), next_cursor: writeInvoiceCursor(page.nextAfter) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An invoice: a draft as computed now, any other as it was finalized' })
  @Responds(200, Invoice, 'The invoice')
  async get(@Principal() key: KeyPrincipal, @ValidPath(InvoicePath) { id }: Path) {
    return invoiceJson(await this.getInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }

  @Post(':id/finalize')
  @ApiOperation({ summary: 'Approve a draft: finalize it now (numbered, immutable); a finalized one is returned unchanged' })
  @Responds(200, Invoice, 'The invoice, finalized', { 409: ['invoice_void', 'invoice_not_computable'] })
  async finalize(@Principal() key: KeyPrincipal, @ValidPath(InvoicePath) { id }: Path) {
    return invoiceJson(await this.finalizeInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }

  @Post(':id/void')
  @ApiOperation({ summary: 'Void an invoice (not a paid one); it keeps its number and the reason' })
  @Responds(200, Invoice, 'The invoice, void', { 409: ['invoice_not_voidable'] })
  async void(
    @Principal() key: KeyPrincipal,
    @ValidPath(InvoicePath) { id }: Path,
    @ValidBody(VoidInvoiceRequest) body: z.output<typeof VoidInvoiceRequest>,
  ) {
    return invoiceJson(
      await this.voidInvoice.execute({ organizationId: key.organizationId, invoiceId: id, reason: body.reason.trim() }),
      costsFor(key),
    );
  }

  @Post(':id/reissue')
  @ApiOperation({ summary: "Invoice a void invoice's period again, computed now" })
  @Responds(200, Invoice, 'The new invoice of the period', { 409: ['invoice_not_void', 'invoice_not_reissuable', 'period_invoiced'] })
  async reissue(@Principal() key: KeyPrincipal, @ValidPath(InvoicePath) { id }: Path) {
    return invoiceJson(await this.reissueInvoice.execute({ organizationId: key.organizationId, invoiceId: id }), costsFor(key));
  }

  @Post(':id/mark_paid')
  @ApiOperation({
    summary: 'Record an offline payment: a finalized (or payment_failed) invoice is paid; a credit purchase grants its credit',
  })
  @Responds(200, Invoice, 'The invoice, paid', { 409: ['invoice_not_payable'] })
  async markPaid(@Principal() key: KeyPrincipal, @ValidPath(InvoicePath) { id }: Path) {
    return invoiceJson(
      await this.markInvoicePaid.execute({ organizationId: key.organizationId, invoiceId: id, source: 'manual' }),
      costsFor(key),
    );
  }
}
