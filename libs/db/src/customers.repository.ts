import { Pool, PoolClient } from 'pg';

/**
 * Ids of the given customers, creating the unknown ones on the organisation's default plan.
 * External ids are sorted so two batches creating the same customers lock them in the same order.
 */
export async function ensureCustomers(
  db: PoolClient | Pool,
  organizationId: string,
  externalIds: string[],
): Promise<Map<string, string>> {
  const sorted = [...externalIds].sort();
  await db.query(
    `INSERT INTO customers (id, organization_id, external_id, plan_code)
     SELECT gen_random_uuid(), $1, x, o.default_plan_code
     FROM unnest($2::text[]) AS x, organizations o WHERE o.id = $1
     ORDER BY x
     ON CONFLICT (organization_id, external_id) DO NOTHING`,
    [organizationId, sorted],
  );
  const res = await db.query({
    text: 'SELECT external_id, id FROM customers WHERE organization_id = $1 AND external_id = ANY($2::text[])',
    values: [organizationId, sorted],
    rowMode: 'array',
  });
  return new Map(res.rows.map((r) => [r[0] as string, r[1] as string]));
}
