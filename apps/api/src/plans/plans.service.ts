import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL, PlansRepository, PlanVersionRow } from '@tollgate/db';
import { planToJson, validatePlan } from '@tollgate/pricing';
import { Repricer } from '@tollgate/billing';
import { ApiError } from '../common/api-error';
import { parseTime } from '../common/pagination';

export function toApiPlan(row: PlanVersionRow) {
  return { ...row.definition, id: row.id, version: row.version, effective_from: row.effective_from.toISOString(), created_at: row.created_at.toISOString() };
}

/** Plans are versioned: POST creates version 1, PUT the next version (API.md "Customers and plans"). */
@Injectable()
export class PlansService {
  private readonly plans: PlansRepository;

  constructor(@Inject(DB_POOL) private readonly pool: Pool, private readonly repricer: Repricer) {
    this.plans = new PlansRepository(pool);
  }

  private read(body: unknown, code?: string) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a plan object');
    const { effective_from, ...plan } = body as Record<string, unknown>;
    if (code !== undefined) {
      if (plan.code !== undefined && plan.code !== null && plan.code !== code) {
        throw ApiError.invalidRequest(`the body's code "${String(plan.code)}" differs from the path's "${code}"`);
      }
      plan.code = code;
    }
    const result = validatePlan(plan);
    if (!result.ok) {
      throw ApiError.invalidRequest(
        `the plan is not valid: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        result.errors.map((e) => ({ field: e.path, message: e.message })),
      );
    }
    const effectiveFrom = effective_from === undefined || effective_from === null ? undefined : parseTime(String(effective_from), 'effective_from');
    return { definition: planToJson(result.plan), effectiveFrom, plan: result.plan };
  }

  async create(organizationId: string, body: unknown) {
    const { definition } = this.read(body);
    // Version 1 prices any event of any period: a plan exists from the start of time.
    const row = await this.plans.addVersion(this.pool, organizationId, definition.code, definition, new Date(0), true);
    if (!row) throw new ApiError(409, 'plan_exists', `a plan with code "${definition.code}" exists: PUT /v1/plans/${definition.code} makes a new version`);
    return toApiPlan(row);
  }

  async update(organizationId: string, code: string, body: unknown) {
    const { definition, effectiveFrom } = this.read(body, code);
    const at = effectiveFrom ?? new Date();
    const row = await this.plans.addVersion(this.pool, organizationId, code, definition, at, false);
    if (!row) throw ApiError.notFound(`plan "${code}"`);
    await this.repricer.planChanged(organizationId, code, at, (definition as { interval: 'month' | 'year' }).interval);
    return toApiPlan(row);
  }

  async get(organizationId: string, code: string) {
    const versions = await this.plans.versions(organizationId, [code]);
    if (versions.length === 0) throw ApiError.notFound(`plan "${code}"`);
    const latest = versions[versions.length - 1];
    return {
      ...toApiPlan(latest),
      versions: versions.map((v) => ({ id: v.id, version: v.version, effective_from: v.effective_from.toISOString(), created_at: v.created_at.toISOString() })),
    };
  }

  async list(organizationId: string, cursor: string | undefined, limit: number) {
    const after = cursor ? Buffer.from(cursor, 'base64url').toString() : null;
    const rows = await this.plans.list(organizationId, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      data: page.map(toApiPlan),
      next_cursor: rows.length > limit ? Buffer.from(page[page.length - 1].code).toString('base64url') : null,
    };
  }
}
