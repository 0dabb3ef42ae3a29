import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ChangePlan, CreatePlan, GetPlan, ListPlans } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { parseLimit } from '../common/pagination';
import { readKeyCursor, writeKeyCursor } from '../common/key-cursor';
import { readPlanBody, toApiPlan, toApiPlanWithVersions } from './plan-json';

const PLAN_SCHEMA = {
  type: 'object',
  required: ['code', 'name', 'charges'],
  properties: {
    code: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string', example: 'USD' },
    interval: { type: 'string', enum: ['week', 'month', 'year'] }, base_fee: { type: 'string' }, included_usage: { type: 'string' },
    minimum_commitment: { type: 'string' }, grace_period_hours: { type: 'integer' }, requires_approval: { type: 'boolean' },
    cost_source: { type: 'string', enum: ['rate_card', 'reported'] },
    effective_from: { type: 'string', format: 'date-time', description: 'PUT only: when the new version takes effect (default now); it bills whole periods' },
    charges: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' }, models: { type: 'array', items: { type: 'string' } }, mode: { type: 'string', enum: ['price', 'token'] },
          markup: { type: 'string' }, token_prices: { type: 'object', additionalProperties: { type: 'string' } },
          margin_floor: { type: 'string' }, allowance_eligible: { type: 'boolean' },
        },
      },
    },
  },
};

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
  @ApiBody({ schema: PLAN_SCHEMA })
  async create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    return toApiPlan(await this.createPlan.execute({ organizationId: key.organizationId, plan: readPlanBody(body).plan }));
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.listPlans.execute({ organizationId: key.organizationId, afterCode: readKeyCursor(cursor), limit: parseLimit(limit) });
    return { data: page.plans.map(toApiPlan), next_cursor: writeKeyCursor(page.nextAfter) };
  }

  @Get(':code')
  async get(@Principal() key: KeyPrincipal, @Param('code') code: string) {
    return toApiPlanWithVersions(await this.getPlan.execute({ organizationId: key.organizationId, code }));
  }

  @Put(':code')
  @ApiOperation({ summary: "A plan's next version; unfinalized usage from the period containing effective_from is repriced" })
  @ApiBody({ schema: PLAN_SCHEMA })
  async update(@Principal() key: KeyPrincipal, @Param('code') code: string, @Body() body: unknown) {
    return toApiPlan(await this.changePlan.execute({ organizationId: key.organizationId, code, ...readPlanBody(body, code) }));
  }
}
