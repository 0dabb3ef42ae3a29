import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** After a failed round. */
const RETRY_MS = 2000;

/**
 * A worker loop over work Postgres holds (docs/architecture.md, "Work that Postgres itself queues"): one round at a
 * time, the next after the delay the round returns, RETRY_MS after a round that failed (logged). Started when the
 * app is up; stopped, and its round in flight awaited, before the pools close.
 */
export abstract class PostgresLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  protected constructor(
    private readonly logger: Logger,
    /** What failed, for the log: "could not <this>; trying again". */
    private readonly what: string,
  ) {}

  /** Does one round; resolves to how long to wait before the next. */
  protected abstract round(): Promise<number>;

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
      this.inFlight = this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    let next = RETRY_MS;
    try {
      next = await this.round();
    } catch (err) {
      this.logger.warn({ msg: `could not ${this.what}; trying again`, err: (err as Error).message });
    }
    this.schedule(next);
  }
}
