import type { SimulationRow, SimulationStatus } from '@tollgate/db';
import type { SimulationResultJson } from './simulation-engine';
import type { ScenarioJson } from './scenario';

/** A simulation as the API shows it (docs/api.md "Simulations"). */
export interface SimulationJson {
  id: string;
  status: SimulationStatus;
  scenario: ScenarioJson;
  progress: { events_total: number; events_done: number };
  /** Lists leave it out; null until it succeeded. */
  result?: SimulationResultJson | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export function simulationJson(row: SimulationRow, options: { result: boolean }): SimulationJson {
  return {
    id: row.id,
    status: row.status,
    scenario: row.scenario as ScenarioJson,
    progress: { events_total: Number(row.events_total), events_done: Number(row.events_done) },
    ...(options.result ? { result: (row.result as SimulationResultJson | null) ?? null } : {}),
    error: row.error,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}
