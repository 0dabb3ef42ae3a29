import { Injectable } from '@nestjs/common';
import { ApiKeysRepository } from '@tollgate/db';
import { ApiKeyHasher } from './api-key-hasher';

/**
 * Keys stored before keyed hashes hold their plain SHA-256: rehashed under TOLLGATE_SECRET, so each keeps working
 * and no unsalted hash stays stored (docs/design.md, "API keys"). The api runs it at start; api instances
 * starting together each upgrade a key at most once between them.
 */
@Injectable()
export class UpgradeApiKeyHashes {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute(): Promise<{ upgraded: number }> {
    let upgraded = 0;
    for (const { id, key_hash } of await this.keys.legacyHashes()) {
      if (await this.keys.upgradeHash(id, key_hash, this.hasher.rehashLegacy(key_hash))) upgraded++;
    }
    return { upgraded };
  }
}
