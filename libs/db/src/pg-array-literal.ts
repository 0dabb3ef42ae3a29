// A column of values as one Postgres array literal ('{"a","b",NULL}'), for statements that take whole columns
// through unnest on a Prisma transaction: Prisma handles each element of an array parameter on its own (about
// 45 us per invoice line), one string parameter costs it nothing. The statement says the array's type
// (`$1::uuid[]`), so the parameter arrives as that array, a constant the planner sizes; casting it through
// text instead (`$1::text::uuid[]`) hides the array from the planner and made the billing cycle 10x slower.

export type ArrayValue = string | number | bigint | boolean | Date | null | undefined;

function element(v: ArrayValue): string {
  if (v === null || v === undefined) return 'NULL';
  const text = v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

export function arrayLiteral(values: readonly ArrayValue[]): string {
  return `{${values.map(element).join(',')}}`;
}
