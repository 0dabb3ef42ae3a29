// Ids the api takes from a path or a query: anything that is not a UUID names nothing (404), rather than
// reaching Postgres's uuid columns.
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
