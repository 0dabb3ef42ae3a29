import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import type { Pool } from 'pg';
import { CustomerUsage, CustomerNotFoundError, Repricer } from '@tollgate/billing';
import { DB_POOL, UsageGroupBy } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { encodeCursor } from '../common/schema/primitives';
import type { CustomerInput } from './customer.schema';
const dec = (v: string | null) => (v === null ? null : new Decimal(v).toFixed());

function toApiCustomer(r: Record<string, any>) {
  return {
    id: r.id,
    external_id: r.external_id,
    name: r.name,
    email: r.email,
    plan_code: r.plan_code,
    discount: dec(r.discount),
    billing_anchor: r.billing_anchor ? (r.billing_anchor as Date).toISOString().slice(0, 10) : null,
    spend_cap: dec(r.spend_cap),
    stripe_customer_id: r.stripe_customer_id,
    created_at: (r.created_at as Date).toISOString(),
  };
}

@Injectable()
export class CustomersService {
  constructor(@Inject(DB_POOL) private readonly pool: Pool, private readonly repricer: Repricer, private readonly usageReport: CustomerUsage) {}

  private async requirePlan(organizationId: string, code: string) {
    const res = await this.pool.query('SELECT 1 FROM plans WHERE organization_id = $1 AND code = $2 LIMIT 1', [organizationId, code]);
    if (!res.rowCount) throw ApiError.invalidRequest(`plan_code "${code}" is not a plan of this organisation`, [{ field: 'plan_code', message: 'unknown plan' }]);
  }

  async create(organizationId: string, input: CustomerInput) {
    const plan = input.plan_code ?? (await this.pool.query('SELECT default_plan_code FROM organizations WHERE id = $1', [organizationId])).rows[0].default_plan_code;
    await this.requirePlan(organizationId, plan);
    const res = await this.pool.query(
      `INSERT INTO customers (id, organization_id, external_id, name, email, plan_code, discount, billing_anchor, spend_cap, stripe_customer_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (organization_id, external_id) DO NOTHING RETURNING *`,
      [randomUUID(), organizationId, input.external_id, input.name ?? null, input.email ?? null, plan, input.discount ?? '0', input.billing_anchor ?? null, input.spend_cap ?? null, input.stripe_customer_id ?? null],
    );
    if (!res.rowCount) throw new ApiError(409, 'customer_exists', `customer "${input.external_id}" exists: PATCH /v1/customers/${input.external_id} changes it`);
    return toApiCustomer(res.rows[0]);
  }

  async get(organizationId: string, externalId: string) {
    const res = await this.pool.query('SELECT * FROM customers WHERE organization_id = $1 AND external_id = $2', [organizationId, externalId]);
    if (!res.rowCount) throw ApiError.notFound(`customer "${externalId}"`);
    return toApiCustomer(res.rows[0]);
  }

  /** `after`: the external_id the previous page ended with (its cursor, decoded). */
  async list(organizationId: string, after: string | undefined, limit: number) {
    const res = await this.pool.query(
      'SELECT * FROM customers WHERE organization_id = $1 AND ($2::text IS NULL OR external_id > $2) ORDER BY external_id LIMIT $3',
      [organizationId, after ?? null, limit + 1],
    );
    const page = res.rows.slice(0, limit);
    return { data: page.map(toApiCustomer), next_cursor: res.rows.length > limit ? encodeCursor(page[page.length - 1].external_id) : null };
  }

  async update(organizationId: string, externalId: string, input: CustomerInput) {
    const before = await this.get(organizationId, externalId);
    if (input.plan_code !== undefined) await this.requirePlan(organizationId, input.plan_code);
    const sets: string[] = [];
    const values: unknown[] = [organizationId, externalId];
    for (const [k, v] of Object.entries(input)) {
      values.push(v);
      sets.push(`${k} = $${values.length}`);
    }
    if (sets.length === 0) return before;
    const res = await this.pool.query(
      `UPDATE customers SET ${sets.join(', ')}, updated_at = now() WHERE organization_id = $1 AND external_id = $2 RETURNING *`,
      values,
    );
    const after = res.rows[0];
    // NOTE: a new plan, anchor or discount bills the whole current period on it (README "Repricing").
    if (before.plan_code !== after.plan_code || before.billing_anchor !== toApiCustomer(after).billing_anchor) {
      await this.repricer.customerChanged(organizationId, after.id, after.billing_anchor);
    }
    return toApiCustomer(after);
  }

  async usage(organizationId: string, externalId: string, q: { from?: Date; to?: Date; group_by?: UsageGroupBy }) {
    return this.notFoundAs404(() => this.usageReport.usage(organizationId, externalId, q.group_by ?? 'model', q.from, q.to));
  }

  async preview(organizationId: string, externalId: string) {
    const { invoice, ...json } = await this.notFoundAs404(() => this.usageReport.preview(organizationId, externalId));
    return json;
  }

  entitlement(organizationId: string, externalId: string) {
    return this.notFoundAs404(() => this.usageReport.entitlement(organizationId, externalId));
  }

  private async notFoundAs404<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CustomerNotFoundError) throw new ApiError(404, 'not_found', err.message);
      throw err;
    }
  }
}
