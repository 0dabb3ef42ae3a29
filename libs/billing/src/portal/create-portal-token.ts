import { Injectable } from '@nestjs/common';
import { ApiKeysRepository, CustomersRepository } from '@tollgate/db';
import { ApiKeyHasher } from '../api-keys/api-key-hasher';
import { NotFoundError } from '../errors';

export interface CreatePortalTokenCommand {
  organizationId: string;
  externalId: string;
  /** Seconds from now (bounds in the api's limits). */
  expiresIn: number;
}

export interface PortalToken {
  /** The key's id: DELETE /v1/api_keys/{id} revokes the link. */
  id: string;
  /** A `portal` key (tg_portal_…), shown once: the link carries it. */
  token: string;
  expiresAt: Date;
}

/**
 * A customer's portal link (docs/design.md, "The customer portal"): a `portal` API key bound to the customer
 * that expires by itself (expires_at, checked on every use) and is revoked like any key. Stored hashed, as keys
 * are. Wall-clock time, not the billing Clock: it is a credential's lifetime.
 */
@Injectable()
export class CreatePortalToken {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly keys: ApiKeysRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute({ organizationId, externalId, expiresIn }: CreatePortalTokenCommand): Promise<PortalToken> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    const expiresAt = new Date(Date.now() + expiresIn * 1000);
    const { key, publicId, keyHash } = this.hasher.issue('portal');
    const row = await this.keys.create({
      organizationId,
      scope: 'portal',
      name: `portal: ${externalId}`.slice(0, 255),
      keyHash,
      publicId,
      customerId: customer.id,
      expiresAt,
    });
    return { id: row.id, token: key, expiresAt };
  }
}
