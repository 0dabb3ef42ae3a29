import { Injectable } from '@nestjs/common';
import { RatesRepository, RateSyncRow } from '@tollgate/db';
import { NotFoundError } from '../errors';

/** One run of the rate sync, as recorded. */
@Injectable()
export class GetRateSync {
  constructor(private readonly rates: RatesRepository) {}

  async execute({ id }: { id: string }): Promise<RateSyncRow> {
    const sync = await this.rates.findSync(id);
    if (sync === null) throw new NotFoundError(`rate sync ${id} not found`);
    return sync;
  }
}
