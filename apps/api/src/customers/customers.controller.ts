import { Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import {
  CreateCustomerRequest, Customer, CustomerList, CustomerListQuery, CustomerPath, CustomerUsage, Entitlement, InvoicePreview,
  UpdateCustomerRequest, UsageQuery,
} from './customer.schema';
import { CustomersService } from './customers.service';

type Path = z.output<typeof CustomerPath>;

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
@Scopes('admin')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a customer on a plan (default: the organisation default plan)' })
  @Responds(201, Customer, 'The customer', { 409: ['customer_exists'] })
  create(@Principal() key: KeyPrincipal, @ValidBody(CreateCustomerRequest) body: z.output<typeof CreateCustomerRequest>) {
    return this.customers.create(key.organizationId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List customers, by external_id' })
  @Responds(200, CustomerList, 'A page of customers')
  list(@Principal() key: KeyPrincipal, @ValidQuery(CustomerListQuery) q: z.output<typeof CustomerListQuery>) {
    return this.customers.list(key.organizationId, q.cursor, q.limit ?? DEFAULT_LIMIT);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A customer' })
  @Responds(200, Customer, 'The customer')
  get(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.customers.get(key.organizationId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a customer; a new plan or anchor bills the whole current period on it' })
  @Responds(200, Customer, 'The customer as changed')
  update(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path, @ValidBody(UpdateCustomerRequest) body: z.output<typeof UpdateCustomerRequest>) {
    return this.customers.update(key.organizationId, id, body);
  }

  @Get(':id/usage')
  @ApiOperation({ summary: "Live usage of the customer's current period (or from/to), grouped" })
  @Responds(200, CustomerUsage, 'Priced usage by group, with totals')
  usage(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path, @ValidQuery(UsageQuery) q: z.output<typeof UsageQuery>) {
    return this.customers.usage(key.organizationId, id, q);
  }

  @Get(':id/entitlement')
  @Scopes('ingest')
  @ApiOperation({ summary: 'Whether the customer may make another model call now (the SDK budget guard asks this)' })
  @Responds(200, Entitlement, 'Allowed or not, and why')
  entitlement(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.customers.entitlement(key.organizationId, id);
  }

  @Get(':id/invoices/preview')
  @ApiOperation({ summary: 'The invoice the current period would produce now' })
  @Responds(200, InvoicePreview, 'The invoice of the current period so far')
  preview(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.customers.preview(key.organizationId, id);
  }
}
