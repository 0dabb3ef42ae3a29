import { Injectable } from '@nestjs/common';
import { ApiKeysRepository, principalOf, type KeyPrincipal } from '@tollgate/db';
import { ApiKeyHasher } from './api-key-hasher';

export interface Authenticated {
  principal: KeyPrincipal;
  /** A rotated key stops working then; null: until revoked. */
  validUntil: Date | null;
}

/** Who a presented key is, if it still works: one keyed hash and one indexed read. */
@Injectable()
export class AuthenticateApiKey {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute({ key }: { key: string }): Promise<Authenticated | null> {
    const row = await this.keys.findActiveByHash(this.hasher.hash(key));
    return row && { principal: principalOf(row), validUntil: row.expires_at };
  }
}

/** A number that changes whenever any key is revoked or rotated: api instances poll it to drop cached keys. */
@Injectable()
export class GetApiKeyRevision {
  constructor(private readonly keys: ApiKeysRepository) {}

  execute(): Promise<number> {
    return this.keys.revision();
  }
}
