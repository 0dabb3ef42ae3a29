import { Injectable } from '@nestjs/common';
import { ApiKeysRepository, type Scope } from '@tollgate/db';

export interface CreateApiKeyCommand {
  organizationId: string;
  scope: Exclude<Scope, 'portal'>;
  name: string;
}

/** A new key of the organisation; the secret is returned once and stored only as its hash. */
@Injectable()
export class CreateApiKey {
  constructor(private readonly keys: ApiKeysRepository) {}

  execute({ organizationId, scope, name }: CreateApiKeyCommand): Promise<{ id: string; key: string; scope: Scope }> {
    return this.keys.create(organizationId, scope, name);
  }
}
