import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { USAGE_DIMENSIONS as SDK_USAGE_DIMENSIONS } from '@tollgate/sdk';

// @tollgate/pricing's USAGE_DIMENSIONS is the one list: the SQL of libs/db is built from it. These copies must
// agree with it, in the same order: the schema's columns (a migration makes them) and the SDK's own list (the
// published SDK depends on nothing of the server).

const schema = readFileSync(join(__dirname, '../../../prisma/schema.prisma'), 'utf8');

/** The BigInt (count) fields of a model, in schema order, without the model's own counters. */
function countColumns(model: string, notDimensions: string[]): string[] {
  const body = schema.match(new RegExp(`^model ${model} \\{([\\s\\S]*?)^\\}`, 'm'))?.[1];
  if (body === undefined) throw new Error(`model ${model} not found in prisma/schema.prisma`);
  return [...body.matchAll(/^\s*(\w+)\s+BigInt\b(?!\[)/gm)].map((m) => m[1]).filter((f) => !notDimensions.includes(f));
}

describe('the usage-dimension list', () => {
  it("is the events table's count columns", () => {
    expect(countColumns('events', ['id'])).toEqual([...USAGE_DIMENSIONS]);
  });

  it("is the usage_aggregates table's count columns", () => {
    expect(countColumns('usage_aggregates', ['events'])).toEqual([...USAGE_DIMENSIONS]);
  });

  it("is the invoice_lines table's count columns (what a usage line billed)", () => {
    expect(countColumns('invoice_lines', ['events'])).toEqual([...USAGE_DIMENSIONS]);
  });

  it("is the SDK's dependency-free copy", () => {
    expect([...SDK_USAGE_DIMENSIONS]).toEqual([...USAGE_DIMENSIONS]);
  });
});
