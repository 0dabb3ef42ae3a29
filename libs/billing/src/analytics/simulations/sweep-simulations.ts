import { Injectable } from '@nestjs/common';
import { SimulationsRepository } from '@tollgate/db';
import { SimulationQueue } from './simulation-queue';

/** Runs begun on one simulation (each died: a worker or api killed mid-run) before it is failed. */
export const SIMULATION_MAX_ATTEMPTS = 3;
/** A queued simulation older than this whose job may be lost. */
const QUEUED_FOR_MS = 30_000;

/**
 * Redis only carries work: queues again, from Postgres, simulations queued for a while (their job lost) and those
 * whose run died (lease lapsed); one whose runs died SIMULATION_MAX_ATTEMPTS times is failed with the reason.
 */
@Injectable()
export class SweepSimulations {
  constructor(
    private readonly simulations: SimulationsRepository,
    private readonly queue: SimulationQueue,
  ) {}

  async execute(): Promise<{ queued: number; abandoned: number }> {
    const stale = await this.simulations.unfinished(QUEUED_FOR_MS, 100);
    const again: string[] = [];
    let abandoned = 0;
    for (const s of stale) {
      if (s.attempts < SIMULATION_MAX_ATTEMPTS) again.push(s.id);
      else if (await this.simulations.abandon(s.id, SIMULATION_MAX_ATTEMPTS, `its runs stopped ${s.attempts} times without finishing`))
        abandoned++;
    }
    await this.queue.enqueue(again);
    return { queued: again.length, abandoned };
  }
}
