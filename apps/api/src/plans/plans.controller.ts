import { Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { ChangePlan, CreatePlan, GetPlan, ListPlans } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { readPlanBody, toApiPlan, toApiPlanWithVersions } from './plan-json';
import { CreatePlanRequest, Plan, PlanList, PlanListQuery, PlanPath, PlanWithVersions, UpdatePlanRequest } from './plan.schema';

@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/plans')
@Scopes('admin')
export class PlansController {
  constructor(
    private readonly createPlan: CreatePlan,
    private readonly changePlan: ChangePlan,
    private readonly getPlan: GetPlan,
    private readonly listPlans: ListPlans,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a plan (version 1)' })
  @Responds(201, Plan, 'Version 1 of the plan', { 409: ['plan_exists'] })
  async create(@Principal() key: KeyPrincipal, @ValidBody(CreatePlanRequest) body: z.output<typeof CreatePlanRequest>) {
    return toApiPlan(await this.createPlan.execute({ organizationId: key.organizationId, plan: readPlanBody(body).plan }));
  }

  @Get()
  @ApiOperation({ summary: 'List plans (their latest versions), by code' })
  @Responds(200, PlanList, 'A page of plans')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(PlanListQuery) q: z.output<typeof PlanListQuery>) {
    const page = await this.listPlans.execute({
      organizationId: key.organizationId,
      afterCode: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.plans.map(toApiPlan), next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  @Get(':code')
  @ApiOperation({ summary: 'A plan: its latest version and the list of its versions' })
  @Responds(200, PlanWithVersions, 'The plan')
  async get(@Principal() key: KeyPrincipal, @ValidPath(PlanPath) { code }: z.output<typeof PlanPath>) {
    return toApiPlanWithVersions(await this.getPlan.execute({ organizationId: key.organizationId, code }));
  }

  @Put(':code')
  @ApiOperation({ summary: "A plan's next version; unfinalized usage from the period containing effective_from is repriced" })
  @Responds(200, Plan, 'The new version')
  async update(
    @Principal() key: KeyPrincipal,
    @ValidPath(PlanPath) { code }: z.output<typeof PlanPath>,
    @ValidBody(UpdatePlanRequest) body: z.output<typeof UpdatePlanRequest>,
  ) {
    return toApiPlan(await this.changePlan.execute({ organizationId: key.organizationId, code, ...readPlanBody(body, code) }));
  }
}
