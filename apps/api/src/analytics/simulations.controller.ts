import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CreateSimulation, GetSimulation, ListSimulations, type ScenarioJson } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import {
  CreateSimulationRequest,
  Simulation,
  SimulationList,
  SimulationListQuery,
  SimulationPath,
  writeSimulationCursor,
} from './simulation.schema';

/** The scenario as kept and shown: the request with its instants as RFC 3339. */
export function scenarioOf(body: z.output<typeof CreateSimulationRequest>): ScenarioJson {
  const { from, to, plan, ...rest } = body;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    ...(plan === undefined ? {} : { plan: { ...plan, code: plan.code ?? 'proposed' } }),
    ...rest,
  } as ScenarioJson;
}

@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1/analytics/simulations')
@Scopes('admin')
export class SimulationsController {
  constructor(
    private readonly createSimulation: CreateSimulation,
    private readonly getSimulation: GetSimulation,
    private readonly listSimulations: ListSimulations,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      "Stress test: re-price and re-bill the range's billed periods under a scenario; answered finished when the periods hold at most SIMULATION_INLINE_MAX_EVENTS events, else queued (poll GET …/{id})",
  })
  @Responds(201, Simulation, 'The simulation: succeeded or failed, or queued with its progress')
  async create(@Principal() key: KeyPrincipal, @ValidBody(CreateSimulationRequest) body: z.output<typeof CreateSimulationRequest>) {
    const { simulation } = await this.createSimulation.execute({ organizationId: key.organizationId, scenario: scenarioOf(body) });
    return simulation;
  }

  @Get()
  @ApiOperation({ summary: 'Simulations, newest first, without their results' })
  @Responds(200, SimulationList, 'A page of simulations')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(SimulationListQuery) q: z.output<typeof SimulationListQuery>) {
    const page = await this.listSimulations.execute({
      organizationId: key.organizationId,
      after: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.simulations, next_cursor: writeSimulationCursor(page.nextAfter) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A simulation: its progress, and its result once it succeeded' })
  @Responds(200, Simulation, 'The simulation')
  get(@Principal() key: KeyPrincipal, @ValidPath(SimulationPath) { id }: z.output<typeof SimulationPath>) {
    return this.getSimulation.execute({ organizationId: key.organizationId, simulationId: id });
  }
}
