import { Injectable } from '@nestjs/common';
import { ApiKeysRepository, principalOf, type KeyPrincipal } from '@tollgate/db';
import { UUID_PATTERN } from '../webhooks/ids';

/** A key of the organisation by id, if it still works (not revoked, not past a rotation's grace): a session's check. */
@Injectable()
export class GetActiveApiKey {
  constructor(private readonly keys: ApiKeysRepository) {}

  async execute({
    organizationId,
    keyId,
    now = new Date(),
  }: {
    organizationId: string;
    keyId: string;
    now?: Date;
  }): Promise<KeyPrincipal | null> {
    if (!UUID_PATTERN.test(organizationId) || !UUID_PATTERN.test(keyId)) return null;
    const row = await this.keys.find(organizationId, keyId);
    if (row === null || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    return principalOf(row);
  }
}
