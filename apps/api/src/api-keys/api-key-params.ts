import { ApiError } from '../common/api-error';

// GET /v1/api_keys's query and the {id} of a key's routes (docs/api.md, "Keys").

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A key's id: anything but a key id this API made names no key (404, never a database error). */
export function readKeyId(raw: string): string {
  if (!UUID.test(raw)) throw ApiError.notFound('API key');
  return raw.toLowerCase();
}

export function readKeyListQuery(cursor: string | undefined, limit: string | undefined): { afterId: string | null; limit: number } {
  let afterId: string | null = null;
  if (cursor !== undefined && cursor !== '') {
    afterId = Buffer.from(cursor, 'base64url').toString();
    if (!UUID.test(afterId)) throw ApiError.invalidRequest('cursor is not one this API returned', [{ field: 'cursor', message: 'not a cursor of this list' }]);
  }
  if (limit === undefined || limit === '') return { afterId, limit: 100 };
  if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) {
    throw ApiError.invalidRequest('limit must be an integer from 1 to 1000', [{ field: 'limit', message: 'an integer from 1 to 1000' }]);
  }
  return { afterId, limit: Number(limit) };
}

export function writeKeyCursor(afterId: string | null): string | null {
  return afterId === null ? null : Buffer.from(afterId).toString('base64url');
}
