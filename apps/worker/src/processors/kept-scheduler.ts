import type { Logger } from '@nestjs/common';

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
