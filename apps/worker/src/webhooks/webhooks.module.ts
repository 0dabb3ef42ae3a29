import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@tollgate/config';
import { WebhookProcessor } from '../processors/webhook.processor';

/** The webhooks queue's processor (deliveries and their sweep). Its use cases come from BillingModule. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.webhooks })],
  providers: [WebhookProcessor],
})
export class WebhooksModule {}
