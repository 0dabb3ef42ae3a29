import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { WebhookDeliveriesRepository } from '@tollgate/db';
import { WebhookQueue } from './webhook-queue';

/**
 * Redis only carries work: this hands back to the queue, from Postgres, every pending delivery overdue by more
 * than half a sweep interval (its job lost with Redis's data, never added because Redis was down at the
 * publisher's commit, or dropped after Postgres failed it). An attempt with a live job is not added twice.
 * Run every SWEEP_INTERVAL_SECONDS by the worker.
 */
@Injectable()
export class SweepWebhookDeliveries {
  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly queue: WebhookQueue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute(): Promise<{ deliveries: number }> {
    const overdue = await this.deliveries.overdue(this.config.sweepIntervalMs / 2);
    await this.queue.schedule(overdue);
    return { deliveries: overdue.length };
  }
}
