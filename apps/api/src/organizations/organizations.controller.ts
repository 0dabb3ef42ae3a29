import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateApiKey, CreateOrganization } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';

function name(body: unknown): string {
  const v = (body as { name?: unknown } | null)?.name;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 255) {
    throw ApiError.invalidRequest('name must be a non-empty string of at most 255 characters');
  }
  return v;
}

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1')
export class OrganizationsController {
  constructor(
    private readonly createOrganizationUseCase: CreateOrganization,
    private readonly createApiKey: CreateApiKey,
  ) {}

  @Post('organizations')
  @Scopes('admin')
  @ApiOperation({ summary: "Create an organisation (instance operator's key only); returns its first admin key, shown once" })
  @ApiBody({ schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } })
  async createOrganization(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    if (!key.isOperator) throw new ApiError(403, 'forbidden', "only the instance operator's key may create organisations");
    const org = await this.createOrganizationUseCase.execute({ name: name(body) });
    return { id: org.id, name: org.name, admin_key: org.adminKey };
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
