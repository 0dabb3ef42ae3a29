import { Injectable } from '@nestjs/common';
import { PlansRepository, PlanVersionRow, type Tx } from '@tollgate/db';
import { compileEventPricer, EventPricer, Plan, PlanInput, PlanValidation, validatePlan } from '@tollgate/pricing';

export interface PlanVersion {
  id: string;
  version: number;
  effectiveFrom: number;
  plan: Plan;
  price: EventPricer;
}

/**
 * Plan versions by organisation and code, compiled once per version (versions are immutable, so a compiled
 * version is cached for good; the list of versions is read fresh for each batch: one small query).
 */
@Injectable()
export class PlanBook {
  private readonly compiled = new Map<string, PlanVersion>();

  constructor(private readonly plans: PlansRepository) {}

  /** code -> versions, oldest first. */
  async forCodes(organizationId: string, codes: readonly string[], tx?: Tx): Promise<Map<string, PlanVersion[]>> {
    const rows = await this.plans.versions(organizationId, codes, tx);
    const byCode = new Map<string, PlanVersion[]>();
    for (const row of rows) {
      const list = byCode.get(row.code) ?? [];
      list.push(this.compile(row));
      byCode.set(row.code, list);
    }
    return byCode;
  }

  /** Versions by id (an invoice or an event records the version it used). */
  async byIds(ids: readonly string[], tx?: Tx): Promise<Map<string, PlanVersion>> {
    const missing = [...new Set(ids)].filter((id) => !this.compiled.has(id));
    if (missing.length > 0) for (const row of await this.plans.byIds(missing, tx)) this.compile(row);
    const out = new Map<string, PlanVersion>();
    for (const id of ids) {
      const v = this.compiled.get(id);
      if (v !== undefined) out.set(id, v);
    }
    return out;
  }

  compile(row: PlanVersionRow): PlanVersion {
    let v = this.compiled.get(row.id);
    if (v === undefined) {
      const result = checkStored(row.definition);
      if (!result.ok) throw new Error(`stored plan ${row.code} v${row.version} is not valid: ${JSON.stringify(result.errors)}`);
      v = {
        id: row.id,
        version: row.version,
        effectiveFrom: row.effective_from.getTime(),
        plan: result.plan,
        price: compileEventPricer(result.plan),
      };
      this.compiled.set(row.id, v);
    }
    return v;
  }
}

/**
 * A stored definition was written by the api (planToJson of a plan its schema and validatePlan accepted); one
 * changed since, so that it no longer has a plan's shape, fails here instead of pricing anything.
 */
function checkStored(definition: unknown): PlanValidation {
  try {
    return validatePlan(definition as PlanInput);
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `not a plan's shape (${(err as Error).message})` }] };
  }
}

/**
 * NOTE: a plan version applies to whole billing periods: the version in force for a period is the latest one
 * whose effective_from is before the period's end. So a change made mid-period bills the whole period on it.
 */
export function versionForPeriod(versions: readonly PlanVersion[], periodEnd: number): PlanVersion | null {
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i].effectiveFrom < periodEnd) return versions[i];
  return null;
}

/**
 * NOTE: a customer's periods follow the interval of its plan's latest version (docs/design.md, "Periods"):
 * pricing, repricing, live usage and the preview all cut periods this way, so they agree.
 */
export function periodInterval(versions: readonly PlanVersion[]) {
  return versions.length > 0 ? versions[versions.length - 1].plan.interval : 'month';
}
