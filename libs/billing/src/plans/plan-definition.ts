import { Plan, planToJson, validatePlan } from '@tollgate/pricing';
import { InvalidCommandError } from '../errors';

/** A plan as sent, validated field by field (libs/pricing's rules), and its canonical JSON as stored. */
export function planDefinition(plan: unknown): { plan: Plan; definition: ReturnType<typeof planToJson> } {
  const result = validatePlan(plan);
  if (!result.ok) {
    throw new InvalidCommandError(
      `the plan is not valid: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      result.errors.map((e) => ({ field: e.path, message: e.message })),
    );
  }
  return { plan: result.plan, definition: planToJson(result.plan) };
}
