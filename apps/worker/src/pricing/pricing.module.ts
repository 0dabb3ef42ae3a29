import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@tollgate/config';
import { PriceProcessor } from '../processors/price.processor';
import { SweepProcessor } from '../processors/sweep.processor';

/** The price queue's processor, and the sweeper that refills it from Postgres. Their use cases come from BillingModule. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.price }, { name: QUEUES.sweep })],
  providers: [PriceProcessor, SweepProcessor],
})
export class PricingModule {}
