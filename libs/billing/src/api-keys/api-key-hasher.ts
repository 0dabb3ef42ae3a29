import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { Scope } from '@tollgate/db';

/** A key as it is issued: the text shown once, and what is stored of it. */
export interface IssuedKey {
  key: string;
  publicId: string;
  keyHash: string;
}

/** tg_<scope>_<public id: 12 hex>_<secret: 32 random bytes, base64url>. */
export const API_KEY_FORMAT = /^tg_(ingest|admin|portal)_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Issues keys and computes what is stored of them (docs/design.md, "API keys"): HMAC-SHA256 under
 * TOLLGATE_SECRET of the key's SHA-256. A leaked table without the secret gives nothing to guess against. Keyed
 * over the SHA-256, not the key, so that keys stored before keyed hashes (as their plain SHA-256) are rehashed
 * without their keys (UpgradeApiKeyHashes).
 */
@Injectable()
export class ApiKeyHasher {
  private readonly secret: string | undefined;

  constructor(@Inject(CONFIG) config: TollgateConfig) {
    this.secret = config.secret;
  }

  hash(key: string): string {
    return this.keyed(createHash('sha256').update(key).digest());
  }

  /** A key stored as its plain SHA-256 (hex), as it is stored now. */
  rehashLegacy(sha256Hex: string): string {
    return this.keyed(Buffer.from(sha256Hex, 'hex'));
  }

  /** A new key: the public id before the secret part is what lists show, and is no key material. */
  issue(scope: Scope): IssuedKey {
    const publicId = randomBytes(6).toString('hex');
    const key = `tg_${scope}_${publicId}_${randomBytes(32).toString('base64url')}`;
    return { key, publicId, keyHash: this.hash(key) };
  }

  /** A key chosen outside (TOLLGATE_ADMIN_KEY): its public id if it is in this format, else a random one. */
  adopt(key: string): IssuedKey {
    return { key, publicId: API_KEY_FORMAT.exec(key)?.[2] ?? randomBytes(6).toString('hex'), keyHash: this.hash(key) };
  }

  private keyed(digest: Buffer): string {
    if (this.secret === undefined) throw new Error('TOLLGATE_SECRET is not set: API keys cannot be hashed without it');
    return createHmac('sha256', this.secret).update(digest).digest('hex');
  }
}
