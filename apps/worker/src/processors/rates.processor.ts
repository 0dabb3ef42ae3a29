import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RecordPriceChanges } from '@tollgate/billing';
import { SyncRates, type SourceSummary } from '@tollgate/rates';
import { QUEUES } from '@tollgate/config';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { logQueueError } from './kept-scheduler';

export interface RatesSyncResult {
  id: string;
  status: string;
}

/** The hourly rate sync: the job is the trigger, the use case does the work and records it in rate_syncs. */
@Processor(QUEUES.rates)
export class RatesProcessor extends WorkerHost {
  private readonly logger = new Logger('RatesSync');

  constructor(
    private readonly syncRates: SyncRates,
    private readonly metrics: WorkerMetrics,
    private readonly priceChanges: RecordPriceChanges,
  ) {
    super();
  }

  async process(): Promise<RatesSyncResult> {
    const sync = await this.syncRates.run();
    this.metrics.rateSynced(Object.fromEntries(Object.entries(sync.summary).map(([source, s]) => [source, (s as SourceSummary).outcome])));
    this.logger.log(`rate sync ${sync.id}: ${sync.status}${sync.error ? ` (${sync.error})` : ''}`);
    // Every run, whatever the outcome: it also records the changes of syncs and overrides made elsewhere (24 h back).
    await this.priceChanges.afterPricesChanged();
    // Recorded already; throwing lets BullMQ retry with backoff (the last good versions stay meanwhile).
    if (sync.status === 'failed') throw new Error(`rate sync ${sync.id} failed: ${sync.error}`);
    return { id: sync.id, status: sync.status };
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error) {
    this.logger.warn({ msg: 'rate sync job failed', attempt: job?.attemptsMade, err: err.message });
  }

  @OnWorkerEvent('error')
  onError(err: Error) {
    logQueueError(this.logger, 'rates worker')(err);
  }
}
