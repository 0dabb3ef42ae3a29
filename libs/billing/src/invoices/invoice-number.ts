/**
 * An invoice's number: the organisation's prefix, the year it was finalized in (UTC) and its place in that
 * year's gap-free sequence, six digits at least: TG-2026-000123.
 */
export function invoiceNumber(prefix: string, year: number, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`invoice sequence ${sequence} is not a positive integer`);
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}
