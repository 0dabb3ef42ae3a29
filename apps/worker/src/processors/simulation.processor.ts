import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { RunSimulation, SweepSimulations, type SimulationJob } from '@tollgate/billing';
import { CONFIG, QUEUES, TollgateConfig } from '@tollgate/config';
import { keptSweepScheduler, logQueueError, type KeptScheduler } from './kept-scheduler';

/**
 * The simulations queue: a `run` job is one stress test (the use case claims it in Postgres and writes its result
 * once); the `sweep` job, every SWEEP_INTERVAL_SECONDS, queues again those whose job was lost or whose run died.
 * One at a time per worker process: a run is CPU-bound and must not starve pricing. A job's lock lapses after 60 s
 * without the run's progress, like its lease in Postgres.
 */
@Processor(QUEUES.simulations, { concurrency: 1, lockDuration: 60_000 })
export class SimulationProcessor extends WorkerHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('simulations');
  private scheduler?: KeptScheduler;

  constructor(
    private readonly run: RunSimulation,
    private readonly sweep: SweepSimulations,
    @Inject(CONFIG) private readonly config: TollgateConfig,
    @InjectQueue(QUEUES.simulations) private readonly queue: Queue<SimulationJob>,
  ) {
    super();
  }

  async onModuleInit() {
    this.queue.on('error', logQueueError(this.logger, 'simulations queue'));
    // Kept: after Redis lost its data, the sweep is what gives the simulations back to the queue.
    this.scheduler = keptSweepScheduler(this.queue, 'simulation-sweep', this.config.sweepIntervalMs, this.logger);
    await this.scheduler.start();
  }

  onApplicationShutdown() {
    this.scheduler?.stop();
  }

  async process(job: Job<SimulationJob>) {
    if (job.name === 'sweep') {
      const swept = await this.sweep.execute();
      if (swept.queued + swept.abandoned > 0) this.logger.log({ msg: 'simulations queued again from Postgres', ...swept });
      return swept;
    }
    const result = await this.run.execute({ simulationId: job.data.simulationId });
    if (result.outcome === 'failed')
      this.logger.warn({ msg: 'simulation failed', simulationId: job.data.simulationId, err: result.row.error });
    return { outcome: result.outcome };
  }

  /** Only Postgres failing fails a job (a scenario that cannot bill fails the simulation): retried, then the sweep's. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<SimulationJob> | undefined, err: Error) {
    this.logger.warn({ msg: 'running a simulation failed', simulationId: job?.data.simulationId, err: err.stack ?? err.message });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'simulations worker')(err);
  }
}
