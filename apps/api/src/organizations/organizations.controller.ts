import { Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ChangeOrganization, CreateApiKey, CreateOrganization, GetOrganization } from '@tollgate/billing';
import type { KeyPrincipal, OrganizationRow } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { Responds, ValidBody } from '../common/schema/validate';
import {
  ChangeOrganizationRequest,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreatedOrganization,
  CreateOrganizationRequest,
  Organization,
} from './organization.schema';

const organizationJson = (o: OrganizationRow) => ({
  id: o.id,
  name: o.name,
  invoice_prefix: o.invoice_prefix,
  target_margin: o.target_margin,
  created_at: o.created_at.toISOString(),
});

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly createOrganizationUseCase: CreateOrganization,
    private readonly createApiKey: CreateApiKey,
    private readonly getOrganization: GetOrganization,
    private readonly changeOrganization: ChangeOrganization,
  ) {}

  @Post('organizations')
  @Scopes('admin')
  @ApiOperation({ summary: "Create an organisation (instance operator's key only); returns its first admin key, shown once" })
  @Responds(201, CreatedOrganization, 'The organisation and its first admin key')
  async createOrganization(
    @Principal() key: KeyPrincipal,
    @ValidBody(CreateOrganizationRequest) body: z.output<typeof CreateOrganizationRequest>,
  ) {
    if (!key.isOperator) throw new ApiError(403, 'forbidden', "only the instance operator's key may create organisations");
    const org = await this.createOrganizationUseCase.execute({ name: body.name, invoicePrefix: body.invoice_prefix });
    return { id: org.id, name: org.name, invoice_prefix: org.invoicePrefix, admin_key: org.adminKey };
  }

  @Get('organization')
  @Scopes('admin')
  @ApiOperation({ summary: "The key's organisation, with the prefix of its invoice numbers" })
  @Responds(200, Organization, 'The organisation')
  async organization(@Principal() key: KeyPrincipal) {
    return organizationJson(await this.getOrganization.execute({ organizationId: key.organizationId }));
  }

  @Patch('organization')
  @Scopes('admin')
  @ApiOperation({ summary: "Change the organisation's name or the prefix of its invoice numbers (invoices finalized from now on)" })
  @Responds(200, Organization, 'The organisation')
  async changeOrganizationSettings(
    @Principal() key: KeyPrincipal,
    @ValidBody(ChangeOrganizationRequest) body: z.output<typeof ChangeOrganizationRequest>,
  ) {
    return organizationJson(await this.changeOrganization.execute({ organizationId: key.organizationId, changes: body }));
  }

  @Post('api_keys')
  @Scopes('admin')
  @ApiOperation({ summary: 'Create an API key of this organisation; the key is shown once' })
  @Responds(201, CreatedApiKey, 'The key')
  async createKey(@Principal() key: KeyPrincipal, @ValidBody(CreateApiKeyRequest) body: z.output<typeof CreateApiKeyRequest>) {
    const created = await this.createApiKey.execute({ organizationId: key.organizationId, scope: body.scope, name: body.name });
    return { id: created.id, key: created.key, scope: created.scope };
  }
}
