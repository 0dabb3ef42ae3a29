import { Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { CreatePlanRequest, Plan, PlanList, PlanListQuery, PlanPath, PlanWithVersions, UpdatePlanRequest } from './plan.schema';
import { PlansService } from './plans.service';

@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/plans')
@Scopes('admin')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post()
  @ApiOperation({ summary: 'Create a plan (version 1)' })
  @Responds(201, Plan, 'Version 1 of the plan', { 409: ['plan_exists'] })
  create(@Principal() key: KeyPrincipal, @ValidBody(CreatePlanRequest) body: z.output<typeof CreatePlanRequest>) {
    return this.plans.create(key.organizationId, body);
  }

  @Get()
  @ApiOperation({ summary: 'List plans (their latest versions), by code' })
  @Responds(200, PlanList, 'A page of plans')
  list(@Principal() key: KeyPrincipal, @ValidQuery(PlanListQuery) q: z.output<typeof PlanListQuery>) {
    return this.plans.list(key.organizationId, q.cursor, q.limit ?? DEFAULT_LIMIT);
  }

  @Get(':code')
  @ApiOperation({ summary: 'A plan: its latest version and the list of its versions' })
  @Responds(200, PlanWithVersions, 'The plan')
  get(@Principal() key: KeyPrincipal, @ValidPath(PlanPath) { code }: z.output<typeof PlanPath>) {
    return this.plans.get(key.organizationId, code);
  }

  @Put(':code')
  @ApiOperation({ summary: "A plan's next version; unfinalized usage from the period containing effective_from is repriced" })
  @Responds(200, Plan, 'The new version')
  update(@Principal() key: KeyPrincipal, @ValidPath(PlanPath) { code }: z.output<typeof PlanPath>, @ValidBody(UpdatePlanRequest) body: z.output<typeof UpdatePlanRequest>) {
    return this.plans.update(key.organizationId, code, body);
  }
}
