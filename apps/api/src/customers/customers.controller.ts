import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { parseLimit } from '../common/pagination';
import { readCustomerInput } from './customer-input';
import { CustomersService } from './customers.service';

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
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a customer on a plan (default: the organisation default plan)' })
  @ApiBody({ schema: { ...CUSTOMER_SCHEMA, required: ['external_id'] } })
  create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    return this.customers.create(key.organizationId, readCustomerInput(body, true));
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  list(@Principal() key: KeyPrincipal, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    return this.customers.list(key.organizationId, cursor, parseLimit(limit));
  }

  @Get(':id')
  get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return this.customers.get(key.organizationId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a customer; a new plan or anchor bills the whole current period on it' })
  @ApiBody({ schema: CUSTOMER_SCHEMA })
  update(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.customers.update(key.organizationId, id, readCustomerInput(body, false));
  }

  @Get(':id/usage')
  @ApiOperation({ summary: "Live usage of the customer's current period (or from/to), grouped" })
  @ApiQuery({ name: 'group_by', required: false, enum: ['model', 'charge', 'day', 'task', 'feature'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  usage(@Principal() key: KeyPrincipal, @Param('id') id: string, @Query() q: { from?: string; to?: string; group_by?: string }) {
    return this.customers.usage(key.organizationId, id, q);
  }

  @Get(':id/entitlement')
  @Scopes('ingest')
  @ApiOperation({ summary: 'Whether the customer may make another model call now (the SDK budget guard asks this)' })
  entitlement(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return this.customers.entitlement(key.organizationId, id);
  }

  @Get(':id/invoices/preview')
  @ApiOperation({ summary: 'The invoice the current period would produce now' })
  preview(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return this.customers.preview(key.organizationId, id);
  }
}
