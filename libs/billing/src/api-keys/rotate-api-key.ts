import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { ApiKeysRepository, Transactions, type Scope } from '@tollgate/db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { isUuid } from '../webhooks/ids';
import { ApiKeyHasher } from './api-key-hasher';
import { OPERATOR_KEY_ONLY, type ApiKeyCommand } from './revoke-api-key';

export interface RotatedApiKey {
  /** The successor's id. */
  id: string;
  /** The successor, shown once. */
  key: string;
  scope: Scope;
  /** The rotated key works until then (API_KEY_ROTATION_GRACE_SECONDS after the rotation). */
  previousValidUntil: Date;
}

/**
 * Replaces a key by a new one of the same organisation, scope, name and powers (the operator's too); the old
 * one keeps working for the grace period, so whoever uses it has time to switch. A key rotated already is
 * not rotated again: its successor is.
 */
@Injectable()
export class RotateApiKey {
  constructor(
    private readonly transactions: Transactions,
    private readonly keys: ApiKeysRepository,
    private readonly hasher: ApiKeyHasher,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  execute({ organizationId, keyId, byOperator }: ApiKeyCommand): Promise<RotatedApiKey> {
    return this.transactions.run(async (tx) => {
      await this.keys.lockKeysOf(organizationId, tx);
      const old = isUuid(keyId) ? await this.keys.find(organizationId, keyId, tx) : null;
      const now = new Date();
      if (old === null || old.revoked_at !== null || (old.expires_at !== null && old.expires_at <= now)) {
        throw new NotFoundError(`API key "${keyId}" not found`);
      }
      if (old.scope === 'portal') {
        throw new ConflictError(
          'portal_key',
          'a portal link is not rotated: make a new one (POST /v1/customers/{id}/portal_tokens) and revoke this one',
        );
      }
      if (old.expires_at !== null) throw new ConflictError('key_rotated', 'this key was rotated already: rotate its successor');
      if (old.is_operator && !byOperator) throw new ForbiddenError(OPERATOR_KEY_ONLY);
      const until = new Date(now.getTime() + this.config.keyRotationGraceMs);
      await this.keys.expire(old.id, until, tx);
      const { key, publicId, keyHash } = this.hasher.issue(old.scope);
      const successor = await this.keys.create(
        { organizationId, scope: old.scope, name: old.name, keyHash, publicId, customerId: old.customer_id, isOperator: old.is_operator },
        tx,
      );
      return { id: successor.id, key, scope: successor.scope, previousValidUntil: until };
    });
  }
}
