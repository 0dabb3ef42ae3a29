import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { StripePushesRepository } from '@tollgate/db';
import { StripePushes } from './stripe-pushes';

/** Pushes the sweeper hands back to the queue per run; the rest wait for the next run. */
const SWEEP_LIMIT = 5000;

/**
 * Every SWEEP_INTERVAL_SECONDS: pushes with work left that nobody holds and that did not move for half an
 * interval go back to the stripe queue (Redis lost their jobs, a job gave up after its retries, a worker died).
 * Adding a push whose job is still waiting adds nothing.
 */
@Injectable()
export class SweepStripePushes {
  constructor(
    private readonly pushes: StripePushesRepository,
    private readonly stripePushes: StripePushes,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute(): Promise<{ pushes: number }> {
    if (!this.stripePushes.enabled) return { pushes: 0 };
    const idle = await this.pushes.idle(this.config.sweepIntervalMs / 2, SWEEP_LIMIT);
    await this.stripePushes.enqueue(idle);
    return { pushes: idle.length };
  }
}
