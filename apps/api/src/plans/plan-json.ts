import type { PlanVersionRow } from '@tollgate/db';
import { PLAN_DEFAULTS, type PlanInput } from '@tollgate/pricing';
import type { z } from 'zod';
import { ApiError } from '../common/api-error';
import type { CreatePlanRequest, UpdatePlanRequest } from './plan.schema';

/**
 * A plan body (its shape checked by the plan schema): the plan, whose meaning the use case checks, and on PUT
 * when the new version takes effect. With a path code, the body's code must be absent or the same.
 */
export function readPlanBody(
  body: z.output<typeof CreatePlanRequest> | z.output<typeof UpdatePlanRequest>,
  code?: string,
): { plan: PlanInput; effectiveFrom?: Date } {
  const { effective_from: effectiveFrom, ...plan } = body as z.output<typeof UpdatePlanRequest>;
  if (code !== undefined && plan.code !== undefined && plan.code !== code) {
    throw ApiError.invalidRequest(`the body's code "${plan.code}" differs from the path's "${code}"`, [
      { field: 'code', message: `must be the path's code "${code}"` },
    ]);
  }
  const input = { ...plan, code: code ?? plan.code! };
  return effectiveFrom === undefined ? { plan: input } : { plan: input, effectiveFrom };
}

export function toApiPlan(row: PlanVersionRow) {
  return {
    // Versions stored before customer_line_detail existed show its default.
    customer_line_detail: PLAN_DEFAULTS.customer_line_detail,
    // Versions stored before the prepaid flag existed are not prepaid.
    prepaid: false,
    ...(row.definition as object),
    id: row.id,
    version: row.version,
    effective_from: row.effective_from.toISOString(),
    created_at: row.created_at.toISOString(),
  };
}

/** The latest version, and every version's number and dates. */
export function toApiPlanWithVersions(versions: readonly PlanVersionRow[]) {
  return {
    ...toApiPlan(versions[versions.length - 1]),
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      effective_from: v.effective_from.toISOString(),
      created_at: v.created_at.toISOString(),
    })),
  };
}
