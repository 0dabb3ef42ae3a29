import { Injectable } from '@nestjs/common';
import type { RateSyncRow } from '@tollgate/db';
import { SyncRates } from '@tollgate/rates';
import { RecordPriceChanges } from '../analytics/record-price-changes';
import { ConflictError, NotFoundError } from '../errors';

/** Applies a held sync's prices, in force from now; once only. */
@Injectable()
export class ApproveRateSync {
  constructor(
    private readonly syncRates: SyncRates,
    private readonly priceChanges: RecordPriceChanges,
  ) {}

  async execute({ id }: { id: string }): Promise<RateSyncRow> {
    const result = await this.syncRates.approve(id);
    if (result.ok) {
      await this.priceChanges.afterPricesChanged();
      return result.sync;
    }
    if (result.reason === 'not_found') throw new NotFoundError(`rate sync ${id} not found`);
    throw new ConflictError('sync_not_held', `rate sync ${id} is ${result.sync!.status}, not held: nothing to approve`);
  }
}
