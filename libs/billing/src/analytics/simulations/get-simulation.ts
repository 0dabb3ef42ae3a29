import { Injectable } from '@nestjs/common';
import { SimulationsRepository } from '@tollgate/db';
import { NotFoundError } from '../../errors';
import { UUID_PATTERN } from '../../webhooks/ids';
import { simulationJson, type SimulationJson } from './simulation-view';

export interface GetSimulationCommand {
  organizationId: string;
  simulationId: string;
}

/** A simulation of the organisation with its progress and, once it succeeded, its result. */
@Injectable()
export class GetSimulation {
  constructor(private readonly simulations: SimulationsRepository) {}

  async execute({ organizationId, simulationId }: GetSimulationCommand): Promise<SimulationJson> {
    const row = UUID_PATTERN.test(simulationId) ? await this.simulations.find(organizationId, simulationId) : null;
    if (row === null) throw new NotFoundError(`no simulation ${simulationId}`);
    return simulationJson(row, { result: true });
  }
}
