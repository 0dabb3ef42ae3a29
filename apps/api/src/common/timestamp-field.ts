// A timestamp field of a JSON body: an RFC 3339 string or Unix milliseconds (docs/api.md "Conventions").

export function readTimestampField(value: unknown): Date | null {
  const d =
    typeof value === 'number' && Number.isSafeInteger(value) ? new Date(value)
    : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? new Date(value)
    : null;
  return d === null || Number.isNaN(d.getTime()) ? null : d;
}
