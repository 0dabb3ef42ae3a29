import type { Pool } from 'pg';
import { PlansRepository, PlanVersionRow } from '@tollgate/db';
import { compileEventPricer, EventPricer, Plan, PlanInput, validatePlan } from '@tollgate/pricing';

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
export class PlanBook {
  private readonly compiled = new Map<string, PlanVersion>();
  private readonly plans: PlansRepository;

  constructor(pool: Pool) {
    this.plans = new PlansRepository(pool);
  }

  /** code -> versions, oldest first. */
  async forCodes(organizationId: string, codes: string[]): Promise<Map<string, PlanVersion[]>> {
    const rows = await this.plans.versions(organizationId, codes);
    const byCode = new Map<string, PlanVersion[]>();
    for (const row of rows) {
      const list = byCode.get(row.code) ?? [];
      list.push(this.compile(row));
      byCode.set(row.code, list);
    }
    return byCode;
  }

  compile(row: PlanVersionRow): PlanVersion {
    let v = this.compiled.get(row.id);
    if (v === undefined) {
      // Stored by the api, whose plan schema checked its shape (planToJson).
      const result = validatePlan(row.definition as unknown as PlanInput);
      if (!result.ok) throw new Error(`stored plan ${row.code} v${row.version} is not valid: ${JSON.stringify(result.errors)}`);
      v = { id: row.id, version: row.version, effectiveFrom: row.effective_from.getTime(), plan: result.plan, price: compileEventPricer(result.plan) };
      this.compiled.set(row.id, v);
    }
    return v;
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
