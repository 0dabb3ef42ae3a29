import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ListApiKeys, RevokeApiKey, RotateApiKey } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { ApiKeyAuth } from '../auth/api-key-auth';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidPath, ValidQuery } from '../common/schema/validate';
import { ApiKeyList, ApiKeyListQuery, ApiKeyPath, RevokedApiKey, RotatedApiKey } from './api-key.schema';
import { toApiKey, toRevokedKey, toRotatedKey } from './api-keys-json';

type Path = z.output<typeof ApiKeyPath>;

@ApiTags('keys')
@ApiBearerAuth()
@Controller('v1/api_keys')
@Scopes('admin')
export class ApiKeysController {
  constructor(
    private readonly listApiKeys: ListApiKeys,
    private readonly revokeApiKey: RevokeApiKey,
    private readonly rotateApiKey: RotateApiKey,
    private readonly auth: ApiKeyAuth,
  ) {}

  @Get()
  @ApiOperation({ summary: "The organisation's keys that work (a rotated one until its grace period ends); never a key" })
  @Responds(200, ApiKeyList, 'A page of keys, oldest first')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(ApiKeyListQuery) q: z.output<typeof ApiKeyListQuery>) {
    const page = await this.listApiKeys.execute({
      organizationId: key.organizationId,
      afterId: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.keys.map(toApiKey), next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: refused within a second by every api instance' })
  @Responds(200, RevokedApiKey, 'The key, revoked', { 409: ['last_admin_key', 'last_operator_key'] })
  async revoke(@Principal() key: KeyPrincipal, @ValidPath(ApiKeyPath) { id }: Path) {
    const revoked = await this.revokeApiKey.execute({ organizationId: key.organizationId, keyId: id, byOperator: key.isOperator });
    this.auth.forgetCachedKeys();
    return toRevokedKey(revoked);
  }

  @Post(':id/rotate')
  @ApiOperation({ summary: 'A new key in place of this one (shown once); the old one works until previous_valid_until' })
  @Responds(200, RotatedApiKey, 'The new key', { 409: ['key_rotated', 'portal_key'] })
  async rotate(@Principal() key: KeyPrincipal, @ValidPath(ApiKeyPath) { id }: Path) {
    const rotated = await this.rotateApiKey.execute({ organizationId: key.organizationId, keyId: id, byOperator: key.isOperator });
    this.auth.forgetCachedKeys();
    return toRotatedKey(rotated);
  }
}
