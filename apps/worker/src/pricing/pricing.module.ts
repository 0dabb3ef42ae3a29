import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { PriceBatch, RATE_LOOKUP } from '@tollgate/billing';
import { QUEUES } from '@tollgate/config';
import { RateBook } from '@tollgate/rates';
import { PriceProcessor } from '../processors/price.processor';
import { SweepProcessor } from '../processors/sweep.processor';

/** The price queue's processor, and the sweeper that refills it from Postgres. RateBook comes from the global RatesModule. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.price }, { name: QUEUES.sweep })],
  providers: [{ provide: RATE_LOOKUP, useExisting: RateBook }, PriceBatch, PriceProcessor, SweepProcessor],
})
export class PricingModule {}
