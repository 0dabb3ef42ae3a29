import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { FoldRollups } from '@tollgate/billing';

/** How long the folder waits when nothing was pending, or after a failure. */
const IDLE_MS = 250;
const RETRY_MS = 2000;

/**
 * Folds priced events into the analytics rollups as pricing writes record them (FoldRollups): one fold after
 * another while any are pending, then every IDLE_MS. Not a queue: the pending rows are in Postgres, and each
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
    let next = IDLE_MS;
    try {
      const folded = await this.fold.some();
      if (folded.pending > 0) next = 0;
    } catch (err) {
      this.logger.warn({ msg: 'could not fold priced events into the analytics rollups; trying again', err: (err as Error).message });
      next = RETRY_MS;
    }
    this.schedule(next);
  }
}
