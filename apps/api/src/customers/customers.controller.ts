import { Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import {
  ChangeCustomer,
  CheckEntitlement,
  CreateCustomer,
  GetCustomer,
  GetCustomerUsage,
  invoiceJson,
  ListCustomers,
  PreviewInvoice,
} from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import {
  CreateCustomerRequest,
  Customer,
  CustomerList,
  CustomerListQuery,
  CustomerPath,
  CustomerUsage,
  Entitlement,
  InvoicePreview,
  UpdateCustomerRequest,
  UsageQuery,
} from './customer.schema';
import { toApiCustomer, toCustomerChanges } from './customer-json';

type Path = z.output<typeof CustomerPath>;

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
  @Responds(201, Customer, 'The customer', { 409: ['customer_exists'] })
  async create(@Principal() key: KeyPrincipal, @ValidBody(CreateCustomerRequest) body: z.output<typeof CreateCustomerRequest>) {
    return toApiCustomer(
      await this.createCustomer.execute({
        organizationId: key.organizationId,
        externalId: body.external_id,
        fields: toCustomerChanges(body),
      }),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List customers, by external_id' })
  @Responds(200, CustomerList, 'A page of customers')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(CustomerListQuery) q: z.output<typeof CustomerListQuery>) {
    const page = await this.listCustomers.execute({
      organizationId: key.organizationId,
      afterExternalId: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.customers.map(toApiCustomer), next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A customer' })
  @Responds(200, Customer, 'The customer')
  async get(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return toApiCustomer(await this.getCustomer.execute({ organizationId: key.organizationId, externalId: id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a customer; a new plan or anchor bills the whole current period on it' })
  @Responds(200, Customer, 'The customer as changed')
  async update(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: Path,
    @ValidBody(UpdateCustomerRequest) body: z.output<typeof UpdateCustomerRequest>,
  ) {
    return toApiCustomer(
      await this.changeCustomer.execute({ organizationId: key.organizationId, externalId: id, changes: toCustomerChanges(body) }),
    );
  }

  @Get(':id/usage')
  @ApiOperation({ summary: "Live usage of the customer's current period (or from/to), grouped" })
  @Responds(200, CustomerUsage, 'Priced usage by group, with totals')
  usage(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path, @ValidQuery(UsageQuery) q: z.output<typeof UsageQuery>) {
    return this.customerUsage.execute({
      organizationId: key.organizationId,
      externalId: id,
      groupBy: q.group_by ?? 'model',
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    });
  }

  @Get(':id/entitlement')
  @Scopes('ingest')
  @ApiOperation({ summary: 'Whether the customer may make another model call now (the SDK budget guard asks this)' })
  @Responds(200, Entitlement, 'Allowed or not, and why')
  entitlement(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.checkEntitlement.execute({ organizationId: key.organizationId, externalId: id });
  }

  @Get(':id/invoices/preview')
  @ApiOperation({ summary: 'The invoice the current period would produce now (late usage and coupons as the invoice will have them)' })
  @Responds(200, InvoicePreview, 'The invoice of the current period so far')
  async preview(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return invoiceJson(await this.previewInvoice.execute({ organizationId: key.organizationId, externalId: id }), {
      costs: key.scope === 'admin',
    });
  }
}
