import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ListApiKeys, RevokeApiKey, RotateApiKey } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { ApiKeyAuth } from '../auth/api-key-auth';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { readKeyId, readKeyListQuery, writeKeyCursor } from './api-key-params';
import { toApiKey, toRevokedKey, toRotatedKey } from './api-keys-json';

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
  @ApiOperation({ summary: "The organisation's keys that work (a rotated one until its grace period ends): prefix, name, scope, created, last used; never the key" })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const query = readKeyListQuery(cursor, limit);
    const page = await this.listApiKeys.execute({ organizationId: key.organizationId, ...query });
    return { data: page.keys.map(toApiKey), next_cursor: writeKeyCursor(page.nextAfter) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key: refused within a second by every api instance' })
  async revoke(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    const revoked = await this.revokeApiKey.execute({ organizationId: key.organizationId, keyId: readKeyId(id), byOperator: key.isOperator });
    this.auth.forgetCachedKeys();
    return toRevokedKey(revoked);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new key in place of this one (shown once); the old one works until previous_valid_until (API_KEY_ROTATION_GRACE_SECONDS)' })
  async rotate(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    const rotated = await this.rotateApiKey.execute({ organizationId: key.organizationId, keyId: readKeyId(id), byOperator: key.isOperator });
    this.auth.forgetCachedKeys();
    return toRotatedKey(rotated);
  }
}
