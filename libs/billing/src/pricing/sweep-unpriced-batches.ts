import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { IngestBatchesRepository } from '@tollgate/db';
import { PriceQueue } from './price-queue';
import { RATE_LOOKUP, type RateLookup } from './rate-lookup';

export interface SweepResult {
  /** Batches handed to the queue (those with a live job already are not added twice). */
  batches: number;
  ratesChanged: boolean;
}

/**
 * Redis only carries work: this re-enqueues, from Postgres, the batches still unpriced (Redis lost its data,
 * a worker died mid-batch) and, once rates changed, those holding events unpriced for a missing rate.
 * Quarantined batches wait for an admin. Run every SWEEP_INTERVAL_SECONDS by the worker.
 */
@Injectable()
export class SweepUnpricedBatches {
  private ratesSeen = -1;

  constructor(
    private readonly batches: IngestBatchesRepository,
    private readonly queue: PriceQueue,
    @Inject(RATE_LOOKUP) private readonly rates: RateLookup,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute(): Promise<SweepResult> {
    const generation = this.rates.generation;
    const ratesChanged = generation !== this.ratesSeen;
    // Older than half an interval: a batch just ingested is in the queue already, its job about to run.
    const batches = await this.batches.toSweep(this.config.sweepIntervalMs / 2, ratesChanged);
    await this.queue.enqueue(batches);
    this.ratesSeen = generation;
    return { batches: batches.length, ratesChanged };
  }
}
