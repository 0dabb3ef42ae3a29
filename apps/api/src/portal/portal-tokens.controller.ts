import { Controller, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CreatePortalToken } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { PORTAL_TOKEN_SECONDS } from '../common/limits';
import { Responds, ValidBody, ValidPath } from '../common/schema/validate';
import { PORTAL_PATH } from './portal-pages';
import { CreatePortalTokenRequest, PortalTokenPath, PortalTokenResponse } from './portal-token.schema';

@ApiTags('portal')
@ApiBearerAuth()
@Controller('v1/customers/:id/portal_tokens')
@Scopes('admin')
export class PortalTokensController {
  constructor(
    private readonly createToken: CreatePortalToken,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: "A link to the customer's portal",
    description:
      'A signed link (a `portal` key, bound to the customer) that opens their invoices, current period and PDFs; it expires by itself and DELETE /v1/api_keys/{id} revokes it. PUBLIC_URL is its base, else the address this request came to.',
  })
  @Responds(201, PortalTokenResponse, 'The link, shown once')
  async create(
    @Principal() key: KeyPrincipal,
    @ValidPath(PortalTokenPath) { id }: z.output<typeof PortalTokenPath>,
    @ValidBody(CreatePortalTokenRequest) body: z.output<typeof CreatePortalTokenRequest>,
    @Req() req: FastifyRequest,
  ) {
    const token = await this.createToken.execute({
      organizationId: key.organizationId,
      externalId: id,
      expiresIn: body?.expires_in ?? PORTAL_TOKEN_SECONDS.default,
    });
    const base = this.config.publicUrl ?? `${req.protocol}://${req.host}`;
    return {
      id: token.id,
      url: `${base}${PORTAL_PATH}/login?token=${encodeURIComponent(token.token)}`,
      expires_at: token.expiresAt.toISOString(),
    };
  }
}
