import { Injectable } from '@nestjs/common';
import { ApiKeyRow, ApiKeysRepository, Transactions, type Tx } from '@tollgate/db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { isUuid } from '../webhooks/ids';

export interface ApiKeyCommand {
  organizationId: string;
  keyId: string;
  /** The caller's key is the instance operator's: only it may revoke or rotate an operator key. */
  byOperator: boolean;
}

export const OPERATOR_KEY_ONLY = "only the instance operator's key may revoke or rotate the operator's key";

/**
 * Revokes a key: it stops working at once here and within a second on every api instance (their caches poll
 * GetApiKeyRevision). Revoking a revoked key answers it again. NOTE: an organisation is never left without a
 * current admin key, nor the instance without an operator key: rotate those instead (docs/design.md, "API keys").
 */
@Injectable()
export class RevokeApiKey {
  constructor(
    private readonly transactions: Transactions,
    private readonly keys: ApiKeysRepository,
  ) {}

  execute({ organizationId, keyId, byOperator }: ApiKeyCommand): Promise<ApiKeyRow> {
    return this.transactions.run(async (tx) => {
      await this.keys.lockKeysOf(organizationId, tx);
      const key = isUuid(keyId) ? await this.keys.find(organizationId, keyId, tx) : null;
      if (key === null) throw new NotFoundError(`API key "${keyId}" not found`);
      if (key.revoked_at !== null) return key;
      if (key.is_operator && !byOperator) throw new ForbiddenError(OPERATOR_KEY_ONLY);
      if (key.expires_at === null) await this.refuseLast(key, tx);
      return this.keys.revoke(key.id, tx);
    });
  }

  private async refuseLast(key: ApiKeyRow, tx: Tx): Promise<void> {
    if (key.is_operator && (await this.keys.countCurrent(key.organization_id, { isOperator: true }, key.id, tx)) === 0) {
      throw new ConflictError('last_operator_key', "this is the instance operator's only key: rotate it instead");
    }
    if (key.scope === 'admin' && (await this.keys.countCurrent(key.organization_id, { scope: 'admin' }, key.id, tx)) === 0) {
      throw new ConflictError('last_admin_key', "this is the organisation's only admin key: rotate it instead, or create another first");
    }
  }
}
