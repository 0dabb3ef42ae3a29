import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeOrganization, CreateApiKey, CreateOrganization, GetOrganization } from '@tollgate/billing';
import type { KeyPrincipal, OrganizationRow } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { readOrganizationInput } from './organization-input';

function name(body: unknown): string {
  const v = (body as { name?: unknown } | null)?.name;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 255) {
    throw ApiError.invalidRequest('name must be a non-empty string of at most 255 characters');
  }
  return v;
}

const organizationJson = (o: OrganizationRow) => ({ id: o.id, name: o.name, invoice_prefix: o.invoice_prefix, created_at: o.created_at.toISOString() });

const ORGANIZATION_BODY = { type: 'object', properties: { name: { type: 'string' }, invoice_prefix: { type: 'string', example: 'TG', description: 'invoice numbers are <prefix>-<year>-<sequence>' } } };

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
  @ApiBody({ schema: { ...ORGANIZATION_BODY, required: ['name'] } })
  async createOrganization(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    if (!key.isOperator) throw new ApiError(403, 'forbidden', "only the instance operator's key may create organisations");
    const input = readOrganizationInput(body, true);
    const org = await this.createOrganizationUseCase.execute({ name: input.name!, invoicePrefix: input.invoice_prefix });
    return { id: org.id, name: org.name, invoice_prefix: org.invoicePrefix, admin_key: org.adminKey };
  }

  @Get('organization')
  @Scopes('admin')
  @ApiOperation({ summary: "The key's organisation, with the prefix of its invoice numbers" })
  async organization(@Principal() key: KeyPrincipal) {
    return organizationJson(await this.getOrganization.execute({ organizationId: key.organizationId }));
  }

  @Patch('organization')
  @Scopes('admin')
  @ApiOperation({ summary: "Change the organisation's name or invoice number prefix (invoices finalized from now on)" })
  @ApiBody({ schema: ORGANIZATION_BODY })
  async changeOrg(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    return organizationJson(await this.changeOrganization.execute({ organizationId: key.organizationId, changes: readOrganizationInput(body, false) }));
  }

  @Post('api_keys')
  @Scopes('admin')
  @ApiOperation({ summary: 'Create an API key of this organisation; the key is shown once' })
  @ApiBody({ schema: { type: 'object', required: ['scope', 'name'], properties: { scope: { type: 'string', enum: ['ingest', 'admin'] }, name: { type: 'string' } } } })
  async createKey(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    const scope = (body as { scope?: unknown } | null)?.scope;
    if (scope !== 'ingest' && scope !== 'admin') throw ApiError.invalidRequest('scope must be "ingest" or "admin"');
    const created = await this.createApiKey.execute({ organizationId: key.organizationId, scope, name: name(body) });
    return { id: created.id, key: created.key, scope: created.scope };
  }
}
