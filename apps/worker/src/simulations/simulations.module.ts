import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@tollgate/config';
import { SimulationProcessor } from '../processors/simulation.processor';

/** The simulations queue's processor (stress-test runs and their sweep). Its use cases come from BillingModule. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.simulations })],
  providers: [SimulationProcessor],
})
export class SimulationsModule {}
