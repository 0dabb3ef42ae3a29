import { validatePlan, type PlanInput } from '../validate-plan';
import type { Plan } from '../plan';

/** A plan through the real validator (code, name and currency defaulted), so tests build only valid plans. */
export function plan(input: Partial<PlanInput>): Plan {
  const result = validatePlan({ code: 'pro', name: 'Pro', currency: 'USD', charges: [], ...input });
  if (!result.ok) throw new Error(`test plan invalid: ${JSON.stringify(result.errors)}`);
  return result.plan;
}
