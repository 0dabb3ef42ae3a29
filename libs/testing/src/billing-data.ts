import type { Pool } from 'pg';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';

// Priced usage written straight into Postgres, as the pricing pipeline leaves it (customers and their period
// aggregates), for what closes periods at scale: the worker's kill -9 test and `npm run bench:close`.

/** A plan with two charges, floors, an allowance and a base fee: every invoice has several lines. */
export function seedPlan(graceHours: number) {
  return {
    code: 'seeded',
    name: 'Seeded',
    currency: 'USD',
    interval: 'month',
    base_fee: '9.00',
    included_usage: '5.00',
    minimum_commitment: '0',
    grace_period_hours: graceHours,
    requires_approval: false,
    cost_source: 'rate_card',
    customer_line_detail: 'per_charge',
    charges: [
      { name: 'premium', models: ['*o3*'], mode: 'price', markup: '0.5', margin_floor: '0.3', allowance_eligible: false },
      { name: 'standard', models: ['*'], mode: 'price', markup: '0.3', margin_floor: '0.2', allowance_eligible: true },
    ],
  };
}

export interface SeededBilling {
  organizationId: string;
  customers: number;
}

/**
 * An organisation with plan "seeded" and `customers` customers on it, created at `periodStart`, each with usage
 * priced on both charges in the month from `periodStart` (amounts vary by customer). Nothing is scheduled: the
 * billing cycle schedules and closes their periods.
 */
export async function seedPricedPeriod(
  pool: Pool,
  options: { customers: number; periodStart: Date; periodEnd: Date; graceHours: number },
): Promise<SeededBilling> {
  const { customers, periodStart, periodEnd, graceHours } = options;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const org = await client.query<{ id: string }>(
      `INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'seeded') RETURNING id::text`,
    );
    const organizationId = org.rows[0].id;
    await client.query(
      `INSERT INTO plans (id, organization_id, code, version, definition, effective_from) VALUES (gen_random_uuid(), $1, 'seeded', 1, $2, 'epoch')`,
      [organizationId, JSON.stringify(seedPlan(graceHours))],
    );
    await client.query(
      `INSERT INTO customers (id, organization_id, external_id, plan_code, created_at)
       SELECT gen_random_uuid(), $1, 'customer-' || lpad(g::text, 7, '0'), 'seeded', $2 FROM generate_series(1, $3) g`,
      [organizationId, periodStart, customers],
    );
    // Per customer n: premium costs (n mod 97 + 1) × $0.0173, standard (n mod 89 + 1) × $0.0291; rated at the markup.
    const zeros = USAGE_DIMENSIONS.filter((d) => !['input_tokens', 'output_tokens', 'requests'].includes(d));
    await client.query(
      `INSERT INTO usage_aggregates (organization_id, customer_id, period_start, period_end, charge, events, provider_cost, rated_amount,
         input_tokens, output_tokens, requests, ${zeros.join(', ')})
       SELECT c.organization_id, c.id, $2, $3, ch.charge, 3 + n % 17, ch.cost * (n % ch.m + 1), ch.cost * (n % ch.m + 1) * ch.markup,
         1000 * (n % 1000 + 1), 100 * (n % 100 + 1), 3 + n % 17, ${zeros.map(() => '0').join(', ')}
       FROM (SELECT id, organization_id, substr(external_id, 10)::int AS n FROM customers WHERE organization_id = $1) c
       CROSS JOIN (VALUES ('premium', 0.0173::numeric, 97, 1.5::numeric), ('standard', 0.0291::numeric, 89, 1.3::numeric)) AS ch(charge, cost, m, markup)`,
      [organizationId, periodStart, periodEnd],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE customers; ANALYZE usage_aggregates');
    return { organizationId, customers };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
