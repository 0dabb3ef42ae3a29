import { Injectable } from '@nestjs/common';
import { IngestBatchesRepository } from '@tollgate/db';
import { PriceQueue } from './price-queue';

export interface RetryQuarantinedCommand {
  organizationId: string;
}

export interface RetryQuarantinedResult {
  batches: number;
  /** Events back to pending, to be priced again. */
  events: number;
}

/**
 * An admin lifts the organisation's quarantines (after fixing what made them fail): the batches count their
 * failures from zero and are priced again; failing as before, they are quarantined again.
 */
@Injectable()
export class RetryQuarantinedBatches {
  constructor(
    private readonly batches: IngestBatchesRepository,
    private readonly queue: PriceQueue,
  ) {}

  async execute({ organizationId }: RetryQuarantinedCommand): Promise<RetryQuarantinedResult> {
    const { batches, events } = await this.batches.retryQuarantined(organizationId);
    // Committed: if Redis is down now, the sweeper enqueues them (their priced_at is null).
    await this.queue.enqueue(batches).catch(() => undefined);
    return { batches: batches.length, events };
  }
}
