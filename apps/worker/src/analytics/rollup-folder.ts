import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { FOLD_MAX_PENDING, FoldRollups } from '@tollgate/billing';

/**
 * How long the folder waits after a fold that took less than a full fold's rows: pending rows gather meanwhile, and
 * one fold of many batches writes each rollup row once for all of them (reports fold first, so none waits for it).
 */
const GATHER_MS = 1000;
/** After a failure. */
const RETRY_MS = 2000;

/**
 * Folds priced events into the analytics rollups as pricing writes record them (FoldRollups): one fold after
 * another while full folds are waiting, else every GATHER_MS. Not a queue: the pending rows are in Postgres, and each
 * worker's folder takes rows no other holds. Stopped, and its fold in flight awaited, before the pools close.
 */
@Injectable()
export class RollupFolder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('rollups');
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(private readonly fold: FoldRollups) {}

  onApplicationBootstrap() {
    this.schedule(0);
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.round();
    }, ms);
  }

  private async round(): Promise<void> {
    let next = GATHER_MS;
    try {
      const folded = await this.fold.some(FOLD_MAX_PENDING);
      if (folded.pending >= FOLD_MAX_PENDING) next = 0; // more are waiting
    } catch (err) {
      this.logger.warn({ msg: 'could not fold priced events into the analytics rollups; trying again', err: (err as Error).message });
      next = RETRY_MS;
    }
    this.schedule(next);
  }
}
