import { Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CreateApiKey, CreateOrganization } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { Responds, ValidBody } from '../common/schema/validate';
import { CreateApiKeyRequest, CreatedApiKey, CreatedOrganization, CreateOrganizationRequest } from './organization.schema';

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
  @Responds(201, CreatedOrganization, 'The organisation and its first admin key')
  async createOrganization(@Principal() key: KeyPrincipal, @ValidBody(CreateOrganizationRequest) body: z.output<typeof CreateOrganizationRequest>) {
    if (!key.isOperator) throw new ApiError(403, 'forbidden', "only the instance operator's key may create organisations");
    const org = await this.createOrganizationUseCase.execute({ name: body.name });
    return { id: org.id, name: org.name, admin_key: org.adminKey };
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
