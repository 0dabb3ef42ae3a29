import { Injectable } from '@nestjs/common';
import { SimulationsRepository } from '@tollgate/db';
import { simulationJson, type SimulationJson } from './simulation-view';

export interface ListSimulationsCommand {
  organizationId: string;
  after: { createdAt: Date; id: string } | null;
  limit: number;
}

/** The organisation's simulations, newest first, without their results. */
@Injectable()
export class ListSimulations {
  constructor(private readonly simulations: SimulationsRepository) {}

  async execute({
    organizationId,
    after,
    limit,
  }: ListSimulationsCommand): Promise<{ simulations: SimulationJson[]; nextAfter: { createdAt: Date; id: string } | null }> {
    const rows = await this.simulations.list(organizationId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      simulations: page.map((r) => simulationJson(r, { result: false })),
      nextAfter: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : null,
    };
  }
}
