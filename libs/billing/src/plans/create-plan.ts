import { Injectable } from '@nestjs/common';
import { PlansRepository, PlanVersionRow } from '@tollgate/db';
import type { PlanInput } from '@tollgate/pricing';
import { ConflictError } from '../errors';
import { planDefinition } from './plan-definition';

export interface CreatePlanCommand {
  organizationId: string;
  /** The plan as sent, its shape checked (its meaning is checked here). */
  plan: PlanInput;
}

/** Version 1 of a new plan code; in force for every period (nothing to reprice: no customer is on it yet). */
@Injectable()
export class CreatePlan {
  constructor(private readonly plans: PlansRepository) {}

  async execute({ organizationId, plan }: CreatePlanCommand): Promise<PlanVersionRow> {
    const { definition } = planDefinition(plan);
    const row = await this.plans.addFirst(organizationId, definition.code, definition);
    if (row === null)
      throw new ConflictError(
        'plan_exists',
        `a plan with code "${definition.code}" exists: PUT /v1/plans/${definition.code} makes a new version`,
      );
    return row;
  }
}
