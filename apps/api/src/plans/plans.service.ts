import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DB_POOL, PlansRepository, PlanVersionRow } from '@tollgate/db';
import { planToJson, validatePlan } from '@tollgate/pricing';
import { Repricer } from '@tollgate/billing';
import type { z } from 'zod';
import { ApiError } from '../common/api-error';
import { encodeCursor } from '../common/schema/primitives';
import type { CreatePlanRequest as CreateSchema, UpdatePlanRequest as UpdateSchema } from './plan.schema';

type CreatePlanRequest = z.output<typeof CreateSchema>;
type UpdatePlanRequest = z.output<typeof UpdateSchema>;
type PlanRequest = CreatePlanRequest | UpdatePlanRequest;

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

  /** A plan's shape was checked by its request schema; validatePlan checks how its fields fit together. */
  private read(body: PlanRequest, pathCode?: string) {
    const { effective_from: effectiveFrom, ...plan } = body as PlanRequest & { effective_from?: Date };
    if (pathCode !== undefined && plan.code !== undefined && plan.code !== pathCode) {
      throw ApiError.invalidRequest(`the body's code "${plan.code}" differs from the path's "${pathCode}"`, [{ field: 'code', message: `must be the path's code "${pathCode}"` }]);
    }
    const result = validatePlan({ ...plan, code: pathCode ?? plan.code! });
    if (!result.ok) {
      throw ApiError.invalidRequest(
        `the plan is not valid: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        result.errors.map((e) => ({ field: e.path, message: e.message })),
      );
    }
    return { definition: planToJson(result.plan), effectiveFrom, plan: result.plan };
  }

  async create(organizationId: string, body: CreatePlanRequest) {
    const { definition } = this.read(body);
    // Version 1 prices any event of any period: a plan exists from the start of time.
    const row = await this.plans.addVersion(this.pool, organizationId, definition.code, definition, new Date(0), true);
    if (!row) throw new ApiError(409, 'plan_exists', `a plan with code "${definition.code}" exists: PUT /v1/plans/${definition.code} makes a new version`);
    return toApiPlan(row);
  }

  async update(organizationId: string, code: string, body: UpdatePlanRequest) {
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

  /** `after`: the code the previous page ended with (its cursor, decoded). */
  async list(organizationId: string, after: string | undefined, limit: number) {
    const rows = await this.plans.list(organizationId, after ?? null, limit + 1);
    const page = rows.slice(0, limit);
    return {
      data: page.map(toApiPlan),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].code) : null,
    };
  }
}
