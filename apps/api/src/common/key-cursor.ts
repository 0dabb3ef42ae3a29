// Lists ordered by a natural key (a customer's external id, a plan's code) page with that key as the cursor.

export function readKeyCursor(cursor: string | undefined): string | null {
  return cursor ? Buffer.from(cursor, 'base64url').toString() : null;
}

export function writeKeyCursor(after: string | null): string | null {
  return after === null ? null : Buffer.from(after).toString('base64url');
}
