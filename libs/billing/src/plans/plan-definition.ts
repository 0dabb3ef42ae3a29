import { type Plan, planToJson, validatePlan, type PlanInput } from '@tollgate/pricing';
import { InvalidCommandError } from '../errors';

/**
 * A plan as sent (its shape already checked by the api's plan schema), checked for how its fields fit together
 * (libs/pricing's rules), and its canonical JSON as stored.
 */
export function planDefinition(plan: PlanInput): { plan: Plan; definition: ReturnType<typeof planToJson> } {
  const result = validatePlan(plan);
  if (!result.ok) {
    throw new InvalidCommandError(
      `the plan is not valid: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      result.errors.map((e) => ({ field: e.path, message: e.message })),
    );
  }
  return { plan: result.plan, definition: planToJson(result.plan) };
}
