import type { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

/**
 * Upserts a BullMQ job scheduler now, and again every `everyMs`: a Redis that lost its data (flushed, restarted
 * without persistence) gets it back without a worker restart. An upsert of an unchanged scheduler adds no job.
 */
export class KeptScheduler {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly upsert: () => Promise<unknown>,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.upsert();
    this.timer = setInterval(() => {
      this.upsert().catch((err: Error) => this.logger.warn({ msg: 'could not renew a job scheduler; next time', err: err.message }));
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A queue's `sweep` job every `sweepIntervalMs` (SWEEP_INTERVAL_SECONDS), kept: renewed at that interval (between
 * 1 s and a minute), so a Redis that lost its data gets the sweep, and through it its work, back from Postgres.
 */
export function keptSweepScheduler(queue: Queue, schedulerId: string, sweepIntervalMs: number, logger: Logger): KeptScheduler {
  return new KeptScheduler(
    () =>
      queue.upsertJobScheduler(
        schedulerId,
        { every: sweepIntervalMs },
        { name: 'sweep', opts: { removeOnComplete: 10, removeOnFail: 10 } },
      ),
    Math.min(Math.max(sweepIntervalMs, 1000), 60_000),
    logger,
  );
}

/** BullMQ's 'error' events (lost connections, a job whose keys a flush removed): logged, never fatal. */
export function logQueueError(logger: Logger, what: string) {
  return (err: Error) => {
    if (/Missing key for job/.test(err.message)) {
      logger.warn({
        msg: `${what}: a job's keys were gone from Redis (lost its data?); the sweeper enqueues its work again from Postgres`,
        err: err.message,
      });
    } else {
      logger.warn({ msg: `${what}: Redis error; reconnecting`, err: err.message });
    }
  };
}
