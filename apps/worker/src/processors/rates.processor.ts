import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { SyncRates } from '@tollgate/rates';
import { QUEUES } from '@tollgate/config';

export interface RatesSyncResult {
  id: string;
  status: string;
}

/** The hourly rate sync: the job is the trigger, the use case does the work and records it in rate_syncs. */
@Processor(QUEUES.rates)
export class RatesProcessor extends WorkerHost {
  private readonly logger = new Logger('RatesSync');

  constructor(private readonly syncRates: SyncRates) {
    super();
  }

  async process(): Promise<RatesSyncResult> {
    const sync = await this.syncRates.run();
    this.logger.log(`rate sync ${sync.id}: ${sync.status}${sync.error ? ` (${sync.error})` : ''}`);
    // Recorded already; throwing lets BullMQ retry with backoff (the last good versions stay meanwhile).
    if (sync.status === 'failed') throw new Error(`rate sync ${sync.id} failed: ${sync.error}`);
    return { id: sync.id, status: sync.status };
  }
}
