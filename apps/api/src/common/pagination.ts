import { ApiError } from './api-error';

// Lists page with an opaque cursor over a stable order (docs/api.md: "Every list is {data, next_cursor}").

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw ApiError.invalidRequest('limit must be an integer from 1 to 1000');
  }
  return Number(raw);
}

export function encodeCursor(id: string | number | bigint): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^\d{1,19}$/.test(id)) throw ApiError.invalidRequest('cursor is not one this API returned');
  return id;
}

/** An RFC 3339 string or Unix milliseconds, as a query parameter. */
export function parseTime(raw: string, name: string): Date {
  const d = /^\d+$/.test(raw) ? new Date(Number(raw)) : new Date(raw);
  if (Number.isNaN(d.getTime()) || !/^\d+$|^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw ApiError.invalidRequest(`${name} must be an RFC 3339 timestamp or Unix milliseconds`);
  }
  return d;
}
