import type { RotatedApiKey } from '@tollgate/billing';
import type { ApiKeyRow } from '@tollgate/db';

/** A key as listed: never the key (it is not stored); its prefix is the public start of the key. */
export function toApiKey(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    scope: k.scope,
    prefix: `tg_${k.scope}_${k.public_id}`,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
    expires_at: k.expires_at?.toISOString() ?? null,
  };
}

export function toRevokedKey(k: ApiKeyRow) {
  return { id: k.id, revoked_at: k.revoked_at!.toISOString() };
}

export function toRotatedKey(k: RotatedApiKey) {
  return { id: k.id, key: k.key, scope: k.scope, previous_valid_until: k.previousValidUntil.toISOString() };
}
