import { validatePlan } from '../validate-plan';
import type { Plan } from '../plan';

/** A plan through the real validator, so tests build only plans the API would accept. */
export function plan(input: Record<string, unknown>): Plan {
  const result = validatePlan({ code: 'pro', name: 'Pro', currency: 'USD', ...input });
  if (!result.ok) throw new Error(`test plan invalid: ${JSON.stringify(result.errors)}`);
  return result.plan;
}
