import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

export interface PlanVersionRow {
  id: string;
  organization_id: string;
  code: string;
  version: number;
  definition: Record<string, unknown>;
  effective_from: Date;
  created_at: Date;
}

/** The plan an organisation's unknown customers start on, until the operator changes it (PUT /v1/plans/default). */
export const DEFAULT_PLAN_DEFINITION = {
  code: 'default',
  name: 'Default (pass-through at cost)',
  currency: 'USD',
  interval: 'month',
  base_fee: '0',
  included_usage: '0',
  minimum_commitment: '0',
  grace_period_hours: 0,
  requires_approval: false,
  cost_source: 'rate_card',
  charges: [{ name: 'usage', models: ['*'], mode: 'price', markup: '0', margin_floor: null, allowance_eligible: true }],
};

/** Plan versions: immutable rows; a change is the next version, in force from its effective_from. */
export class PlansRepository {
  constructor(private readonly pool: Pool) {}

  /** Every version of the given codes, oldest first. */
  async versions(organizationId: string, codes: string[]): Promise<PlanVersionRow[]> {
    const res = await this.pool.query(
      'SELECT * FROM plans WHERE organization_id = $1 AND code = ANY($2::text[]) ORDER BY code, version',
      [organizationId, codes],
    );
    return res.rows;
  }

  async latest(organizationId: string, code: string): Promise<PlanVersionRow | null> {
    const res = await this.pool.query(
      'SELECT * FROM plans WHERE organization_id = $1 AND code = $2 ORDER BY version DESC LIMIT 1',
      [organizationId, code],
    );
    return res.rows[0] ?? null;
  }

  async list(organizationId: string, afterCode: string | null, limit: number): Promise<PlanVersionRow[]> {
    const res = await this.pool.query(
      `SELECT DISTINCT ON (code) * FROM plans WHERE organization_id = $1 AND ($2::text IS NULL OR code > $2)
       ORDER BY code, version DESC LIMIT $3`,
      [organizationId, afterCode, limit],
    );
    return res.rows;
  }

  /**
   * Adds the next version of a plan (version 1 when `expectNew`). Returns null when the code already exists
   * and `expectNew` is set, or does not exist and it is not. Versions are serialised per code by the unique key.
   */
  async addVersion(
    db: Pool | PoolClient,
    organizationId: string,
    code: string,
    definition: object,
    effectiveFrom: Date,
    expectNew: boolean,
  ): Promise<PlanVersionRow | null> {
    const res = await db.query(
      `INSERT INTO plans (id, organization_id, code, version, definition, effective_from)
       SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5 FROM plans WHERE organization_id = $2 AND code = $3
       HAVING (count(*) = 0) = $6
       ON CONFLICT (organization_id, code, version) DO NOTHING
       RETURNING *`,
      [randomUUID(), organizationId, code, JSON.stringify(definition), effectiveFrom, expectNew],
    );
    return res.rows[0] ?? null;
  }
}
