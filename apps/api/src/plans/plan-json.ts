import type { PlanVersionRow } from '@tollgate/db';
import { ApiError } from '../common/api-error';
import { parseTime } from '../common/pagination';

/**
 * A plan body: the plan itself (validated by the use case) and, on PUT, when the new version takes effect.
 * With a path code, the body's code must be absent or the same.
 */
export function readPlanBody(body: unknown, code?: string): { plan: Record<string, unknown>; effectiveFrom?: Date } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a plan object');
  const { effective_from, ...plan } = body as Record<string, unknown>;
  if (code !== undefined) {
    if (plan.code !== undefined && plan.code !== null && plan.code !== code) {
      throw ApiError.invalidRequest(`the body's code "${String(plan.code)}" differs from the path's "${code}"`);
    }
    plan.code = code;
  }
  return effective_from === undefined || effective_from === null ? { plan } : { plan, effectiveFrom: parseTime(String(effective_from), 'effective_from') };
}

export function toApiPlan(row: PlanVersionRow) {
  return { ...(row.definition as object), id: row.id, version: row.version, effective_from: row.effective_from.toISOString(), created_at: row.created_at.toISOString() };
}

/** The latest version, and every version's number and dates. */
export function toApiPlanWithVersions(versions: readonly PlanVersionRow[]) {
  return {
    ...toApiPlan(versions[versions.length - 1]),
    versions: versions.map((v) => ({ id: v.id, version: v.version, effective_from: v.effective_from.toISOString(), created_at: v.created_at.toISOString() })),
  };
}
