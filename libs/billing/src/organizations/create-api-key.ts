import { Injectable } from '@nestjs/common';
import { ApiKeysRepository, type Scope } from '@tollgate/db';
import { ApiKeyHasher } from '../api-keys/api-key-hasher';

export interface CreateApiKeyCommand {
  organizationId: string;
  scope: Exclude<Scope, 'portal'>;
  name: string;
}

/** A new key of the organisation; the secret is returned once and stored only as its keyed hash. */
@Injectable()
export class CreateApiKey {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute({ organizationId, scope, name }: CreateApiKeyCommand): Promise<{ id: string; key: string; scope: Scope }> {
    const { key, publicId, keyHash } = this.hasher.issue(scope);
    const row = await this.keys.create({ organizationId, scope, name, keyHash, publicId });
    return { id: row.id, key, scope: row.scope };
  }
}
