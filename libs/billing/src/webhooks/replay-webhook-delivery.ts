import { Injectable } from '@nestjs/common';
import { Transactions, WebhookDeliveriesRepository, type WebhookDeliveryRow } from '@tollgate/db';
import { ConflictError, NotFoundError } from '../errors';
import { isUuid } from './ids';
import { PublishWebhookEvent } from './publish-webhook-event';

/**
 * Sends an event again to the endpoint of one of its deliveries: a new delivery (its own attempts, its own
 * 24 hours of retries), whatever became of the first. The body is the same, so is the event id: a receiver
 * that de-duplicates by event id ignores it unless it wants it.
 */
@Injectable()
export class ReplayWebhookDelivery {
  constructor(
    private readonly transactions: Transactions,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly publisher: PublishWebhookEvent,
  ) {}

  async execute({ organizationId, id }: { organizationId: string; id: string }): Promise<WebhookDeliveryRow> {
    if (!isUuid(id)) throw new NotFoundError(`webhook delivery "${id}" not found`);
    const result = await this.transactions.run((tx) => this.deliveries.replay(tx, organizationId, id));
    if ('refused' in result) {
      if (result.refused === 'not_found') throw new NotFoundError(`webhook delivery "${id}" not found`);
      throw new ConflictError('endpoint_disabled', 'the endpoint of this delivery is disabled: nothing can be sent to it');
    }
    const replayed = result.replayed;
    await this.publisher.dispatch({
      eventId: replayed.event_id,
      deliveries: [{ id: replayed.id, attempt: 1, dueAt: replayed.next_attempt_at ?? replayed.created_at }],
    });
    return replayed;
  }
}
