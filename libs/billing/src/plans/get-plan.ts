import { Injectable } from '@nestjs/common';
import { PlansRepository, PlanVersionRow } from '@tollgate/db';
import { NotFoundError } from '../errors';

/** A plan's versions, oldest first (the last is the latest). */
@Injectable()
export class GetPlan {
  constructor(private readonly plans: PlansRepository) {}

  async execute({ organizationId, code }: { organizationId: string; code: string }): Promise<PlanVersionRow[]> {
    const versions = await this.plans.versions(organizationId, [code]);
    if (versions.length === 0) throw new NotFoundError(`plan "${code}" not found`);
    return versions;
  }
}
