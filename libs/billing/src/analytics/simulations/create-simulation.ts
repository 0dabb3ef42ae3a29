import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { SimulationsRepository } from '@tollgate/db';
import { InvalidCommandError } from '../../errors';
import { PlanBook } from '../../pricing/plan-book';
import { parseScenario, planWithChanges, ScenarioError, type Scenario, type ScenarioJson } from './scenario';
import { RunSimulation, SIMULATION_LEASE_MS } from './run-simulation';
import { SimulationQueue } from './simulation-queue';
import { simulationJson, type SimulationJson } from './simulation-view';

export interface CreateSimulationCommand {
  organizationId: string;
  scenario: ScenarioJson;
}

/**
 * Starts a stress test (docs/api.md "Simulations"). The scenario is checked against what it will bill (the plan
 * and its changes, on every plan version of the range, and the currency) before anything is kept. A range whose
 * billed periods hold at most SIMULATION_INLINE_MAX_EVENTS priced events runs here and is answered finished; a
 * larger one is kept queued and handed to the worker.
 */
@Injectable()
export class CreateSimulation {
  constructor(
    private readonly simulations: SimulationsRepository,
    private readonly plans: PlanBook,
    private readonly run: RunSimulation,
    private readonly queue: SimulationQueue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute(command: CreateSimulationCommand): Promise<{ queued: boolean; simulation: SimulationJson }> {
    const scenario = this.parse(command.scenario);
    const periods = await this.simulations.billedPeriods(command.organizationId, scenario.from, scenario.to, scenario.customers);
    await this.check(periods, scenario);
    const eventsTotal = periods.reduce((n, p) => n + BigInt(p.events), 0n);
    const inline = eventsTotal <= BigInt(this.config.simulationInlineMaxEvents);
    const token = inline ? randomUUID() : null;
    const row = await this.simulations.create({
      id: randomUUID(),
      organizationId: command.organizationId,
      scenario: command.scenario,
      from: scenario.from,
      to: scenario.to,
      eventsTotal,
      leaseToken: token,
      leaseMs: SIMULATION_LEASE_MS,
    });
    if (token === null) {
      // Kept first: a lost job is queued again by the worker's sweep.
      await this.queue.enqueue([row.id]).catch(() => undefined);
      return { queued: true, simulation: simulationJson(row, { result: true }) };
    }
    const ran = await this.run.runClaimed(row, token);
    const end =
      ran.outcome === 'succeeded' || ran.outcome === 'failed'
        ? ran.row
        : ((await this.simulations.find(command.organizationId, row.id)) ?? row);
    return { queued: false, simulation: simulationJson(end, { result: true }) };
  }

  private parse(json: ScenarioJson): Scenario {
    let scenario: Scenario;
    try {
      scenario = parseScenario(json);
    } catch (err) {
      if (err instanceof ScenarioError) throw new InvalidCommandError(err.message, [{ field: err.field, message: err.message }]);
      throw err;
    }
    if (scenario.to.getTime() <= scenario.from.getTime())
      throw new InvalidCommandError('to must be after from', [{ field: 'to', message: 'must be after from' }]);
    return scenario;
  }

  /** The proposed plan bills the periods' currency, and the changes make a valid plan of every plan of the range. */
  private async check(periods: Awaited<ReturnType<SimulationsRepository['billedPeriods']>>, scenario: Scenario) {
    const problem = (field: string, message: string) => new InvalidCommandError(`${field}: ${message}`, [{ field, message }]);
    if (scenario.plan !== null) {
      const other = periods.find((p) => p.currency !== scenario.plan!.currency);
      if (other) throw problem('plan.currency', `the range's invoices bill ${other.currency}; a proposed plan must bill the same currency`);
    }
    const versions =
      scenario.plan === null
        ? [...(await this.plans.byIds(periods.flatMap((p) => (p.plan_version_id ? [p.plan_version_id] : [])))).values()]
        : [];
    for (const plan of scenario.plan === null ? versions.map((v) => v.plan) : [scenario.plan]) {
      try {
        planWithChanges(plan, scenario);
      } catch (err) {
        if (err instanceof ScenarioError) throw problem('plan_changes', err.message);
        throw err;
      }
    }
  }
}
