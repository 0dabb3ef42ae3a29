import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  isUnavailableError,
  RatesRepository,
  SimulationsRepository,
  type BilledPeriodRow,
  type SimulatedEventRow,
  type SimulationRow,
} from '@tollgate/db';
import { compileEventPricer, type PriceSheet } from '@tollgate/pricing';
import { versionFromRow } from '@tollgate/rates';
import { PlanBook } from '../../pricing/plan-book';
import { RATE_LOOKUP, type RateLookup } from '../../pricing/rate-lookup';
import { parseScenario, planWithChanges, type Scenario, type ScenarioJson } from './scenario';
import { SimulationEngine, type PeriodPlan } from './simulation-engine';

const PRINTABLE_ASCII = /^[ -~]*$/;

/** How long a run holds a simulation without showing progress before another may take it over. */
export const SIMULATION_LEASE_MS = 60_000;
/** Events read at once, in insertion order (the next page is read while one is priced). */
export const SIMULATION_PAGE_EVENTS = 20_000;

export interface RunSimulationCommand {
  simulationId: string;
}

export type RunSimulationResult = { outcome: 'succeeded' | 'failed'; row: SimulationRow } | { outcome: 'not_claimed' | 'lease_lost' };

class LeaseLost extends Error {}

/**
 * Runs a stress test (docs/design.md "Simulations"): claims it in Postgres (queued, or running with a lapsed lease),
 * streams the range's events in insertion order through a cursor a page at a time (the next page read while this one is priced), re-prices and re-bills them in memory (SimulationEngine), writes progress under the lease and the result
 * once. A scenario the data cannot bill fails the simulation with the reason; Postgres away leaves it to a later
 * run (the lease lapses, the sweep queues it again).
 */
@Injectable()
export class RunSimulation {
  private readonly rateSheets = new Map<string, PriceSheet>();

  constructor(
    private readonly simulations: SimulationsRepository,
    private readonly ratesRepo: RatesRepository,
    private readonly plans: PlanBook,
    @Inject(RATE_LOOKUP) private readonly rates: RateLookup,
  ) {}

  async execute({ simulationId }: RunSimulationCommand): Promise<RunSimulationResult> {
    const token = randomUUID();
    const row = await this.simulations.claim(simulationId, token, SIMULATION_LEASE_MS);
    if (row === null) return { outcome: 'not_claimed' };
    return this.runClaimed(row, token);
  }

  /** Runs a simulation this caller holds the lease of (`token`). */
  async runClaimed(row: SimulationRow, token: string): Promise<RunSimulationResult> {
    let result;
    try {
      result = await this.simulate(row, token);
    } catch (err) {
      if (err instanceof LeaseLost) return { outcome: 'lease_lost' };
      if (isUnavailableError(err)) throw err;
      const failed = await this.simulations.finish(row.id, token, {
        status: 'failed',
        error: err instanceof Error ? err.message : String(err),
      });
      return failed === null ? { outcome: 'lease_lost' } : { outcome: 'failed', row: failed };
    }
    const done = await this.simulations.finish(row.id, token, { status: 'succeeded', result: result.json, eventsDone: result.events });
    return done === null ? { outcome: 'lease_lost' } : { outcome: 'succeeded', row: done };
  }

  private async simulate(row: SimulationRow, token: string) {
    const scenario = parseScenario(row.scenario as ScenarioJson);
    const periods = await this.simulations.billedPeriods(row.organization_id, scenario.from, scenario.to, scenario.customers);
    const planOf = await this.periodPlans(periods, scenario);
    await this.rates.refresh();
    const engine = new SimulationEngine(
      scenario,
      row.organization_id,
      this.rateSheets,
      this.rates,
      periods.map((period) => ({ period, plan: planOf(period) })),
    );
    if (periods.length > 0) {
      // Billed periods start in [from, to): their events' period_start is in the same range.
      const last = periods.reduce((m, p) => (p.period_start > m ? p.period_start : m), periods[0].period_start);
      const customerIds = scenario.customers === null ? null : [...new Set(periods.map((p) => p.customer_id))];
      const range = [row.organization_id, scenario.from, new Date(last.getTime() + 1), customerIds] as const;
      const shiftedModels = [...new Set(scenario.shifts.map((s) => s.fromModel))];
      // Events Postgres can sum (one card version without tiers, no reported cost), then the rest one by one in
      // insertion order, both of one snapshot. Shifts named in printable ASCII are picked by Postgres, so that the
      // events they match are summed too (moved ones per target card); else events of their models come one by
      // one, the engine picking.
      const picks = scenario.shifts.every(
        (s) => PRINTABLE_ASCII.test(s.fromModel) && PRINTABLE_ASCII.test(s.fromProvider ?? '') && Number.isSafeInteger(s.sharePpm),
      )
        ? {
            shifts: scenario.shifts,
            periods,
            movedSummable: (changes: readonly number[]) =>
              scenario.shifts.map((s) =>
                [changes.length > 0 ? changes[0] - 1 : 0, ...changes].every((at) => {
                  const found = this.rates.lookup(row.organization_id, s.toProvider, s.toModel, at);
                  return !found.ok || found.version.tiers.length === 0;
                }),
              ),
          }
        : null;
      for await (const read of this.simulations.rangeRead(...range, shiftedModels, SIMULATION_PAGE_EVENTS, picks)) {
        if (read.sums) {
          await this.loadRateCards(read.sums);
          for (let i = 0; i < read.sums.length; i++) engine.priceSum(read.sums[i]);
          for (let i = 0; i < read.moved.length; i++) engine.priceMoved(read.moved[i]);
        } else {
          await this.loadRateCards(read.events);
          for (let i = 0; i < read.events.length; i++) engine.price(read.events[i]);
        }
        if (!(await this.simulations.progress(row.id, token, engine.eventsDone, SIMULATION_LEASE_MS))) throw new LeaseLost();
      }
    }
    return { json: engine.result(), events: engine.eventsDone };
  }

  /** The plan of each period, compiled once per plan version: the proposed plan or the invoice's, with the changes. */
  private async periodPlans(periods: readonly BilledPeriodRow[], scenario: Scenario) {
    const versions = await this.plans.byIds(periods.flatMap((p) => (p.plan_version_id ? [p.plan_version_id] : [])));
    const compiled = new Map<string, PeriodPlan>();
    for (const p of periods) {
      const key = p.plan_version_id ?? '';
      if (compiled.has(key)) continue;
      const own = versions.get(key);
      if (scenario.plan === null && own === undefined) throw new Error(`invoice ${p.invoice_id} has no plan version to bill it on`);
      const base = scenario.plan ?? own!.plan;
      if (base.currency !== p.currency)
        throw new Error(`the proposed plan bills ${base.currency}, but invoice ${p.invoice_id} billed ${p.currency}`);
      const plan = planWithChanges(base, scenario);
      compiled.set(key, { plan, price: plan === own?.plan ? own.price : compileEventPricer(plan) });
    }
    return (p: BilledPeriodRow) => compiled.get(p.plan_version_id ?? '')!;
  }

  /** The rate card versions that priced the events (immutable: kept for good). */
  private async loadRateCards(events: readonly Pick<SimulatedEventRow, 'rate_card_id'>[]) {
    const missing = new Set<string>();
    for (const e of events) if (e.rate_card_id !== null && !this.rateSheets.has(e.rate_card_id)) missing.add(e.rate_card_id);
    if (missing.size === 0) return;
    for (const r of await this.ratesRepo.versionsByIds([...missing])) this.rateSheets.set(r.id, versionFromRow(r));
  }
}
