import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ChangeCustomer, CheckEntitlement, CreateCustomer, GetCustomer, GetCustomerUsage, invoiceJson, ListCustomers, PreviewInvoice } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { parseLimit } from '../common/pagination';
import { readCustomerInput } from './customer-input';
import { readKeyCursor, writeKeyCursor } from '../common/key-cursor';
import { readUsageQuery, toApiCustomer, toCustomerChanges } from './customer-json';

const CUSTOMER_SCHEMA = {
  type: 'object',
  properties: {
    external_id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, plan_code: { type: 'string' },
    discount: { type: 'string', example: '0.10' }, billing_anchor: { type: 'string', format: 'date' },
    spend_cap: { type: 'string' }, stripe_customer_id: { type: 'string' },
  },
};

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
@Scopes('admin')
export class CustomersController {
  constructor(
    private readonly createCustomer: CreateCustomer,
    private readonly changeCustomer: ChangeCustomer,
    private readonly getCustomer: GetCustomer,
    private readonly listCustomers: ListCustomers,
    private readonly customerUsage: GetCustomerUsage,
    private readonly checkEntitlement: CheckEntitlement,
    private readonly previewInvoice: PreviewInvoice,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a customer on a plan (default: the organisation default plan)' })
  @ApiBody({ schema: { ...CUSTOMER_SCHEMA, required: ['external_id'] } })
  async create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    const input = readCustomerInput(body, true);
    return toApiCustomer(await this.createCustomer.execute({ organizationId: key.organizationId, externalId: input.external_id!, fields: toCustomerChanges(input) }));
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.listCustomers.execute({ organizationId: key.organizationId, afterExternalId: readKeyCursor(cursor), limit: parseLimit(limit) });
    return { data: page.customers.map(toApiCustomer), next_cursor: writeKeyCursor(page.nextAfter) };
  }

  @Get(':id')
  async get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return toApiCustomer(await this.getCustomer.execute({ organizationId: key.organizationId, externalId: id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a customer; a new plan or anchor bills the whole current period on it' })
  @ApiBody({ schema: CUSTOMER_SCHEMA })
  async update(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    const changes = toCustomerChanges(readCustomerInput(body, false));
    return toApiCustomer(await this.changeCustomer.execute({ organizationId: key.organizationId, externalId: id, changes }));
  }

  @Get(':id/usage')
  @ApiOperation({ summary: "Live usage of the customer's current period (or from/to), grouped" })
  @ApiQuery({ name: 'group_by', required: false, enum: ['model', 'charge', 'day', 'task', 'feature'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  usage(@Principal() key: KeyPrincipal, @Param('id') id: string, @Query() q: { from?: string; to?: string; group_by?: string }) {
    return this.customerUsage.execute({ organizationId: key.organizationId, externalId: id, ...readUsageQuery(q) });
  }

  @Get(':id/entitlement')
  @Scopes('ingest')
  @ApiOperation({ summary: 'Whether the customer may make another model call now (the SDK budget guard asks this)' })
  entitlement(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return this.checkEntitlement.execute({ organizationId: key.organizationId, externalId: id });
  }

  @Get(':id/invoices/preview')
  @ApiOperation({ summary: 'The invoice the current period would produce now (with late usage and coupons, as the invoice will)' })
  async preview(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return invoiceJson(await this.previewInvoice.execute({ organizationId: key.organizationId, externalId: id }), { costs: key.scope === 'admin' });
  }
}
