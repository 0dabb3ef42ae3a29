import { Injectable } from '@nestjs/common';
import { PlansRepository, PlanVersionRow } from '@tollgate/db';

/** The latest version of each plan, in code order; `nextAfter` is the last code when another page follows. */
@Injectable()
export class ListPlans {
  constructor(private readonly plans: PlansRepository) {}

  async execute({
    organizationId,
    afterCode,
    limit,
  }: {
    organizationId: string;
    afterCode: string | null;
    limit: number;
  }): Promise<{ plans: PlanVersionRow[]; nextAfter: string | null }> {
    const rows = await this.plans.list(organizationId, afterCode, limit + 1);
    const page = rows.slice(0, limit);
    return { plans: page, nextAfter: rows.length > limit ? page[page.length - 1].code : null };
  }
}
