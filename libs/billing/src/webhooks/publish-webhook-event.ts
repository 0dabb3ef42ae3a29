import { Injectable, Logger } from '@nestjs/common';
import { Transactions, WebhookDeliveriesRepository, WebhookEndpointsRepository, type PublishedEvent, type Tx } from '@tollgate/db';
import { isWebhookEventType, type WebhookEventType } from './event-types';
import { WebhookQueue } from './webhook-queue';

export interface PublishWebhookEventCommand {
  organizationId: string;
  type: WebhookEventType;
  /**
   * What the event is about, unique per (organisation, type): the second publication of a key publishes
   * nothing. E.g. `invoice:<id>` for invoice.finalized, `customer:<id>:period:<start>:threshold:<amount>`.
   */
  subjectKey: string;
  /** The body's `data`: plain JSON, money as decimal strings, timestamps as RFC 3339 strings. */
  payload: Record<string, unknown>;
}

export type { PublishedEvent };

/**
 * Publishes a webhook event at most once per (organisation, type, subject key), however many processes see the
 * condition at once, with a delivery to every enabled endpoint subscribed to the type (docs/design.md,
 * "Webhooks"). A use case whose change implies the event publishes it in its own transaction:
 *
 *   const published = await this.transactions.run(async (tx) => { …its writes…; return this.webhooks.publish(tx, command); });
 *   await this.webhooks.dispatch(published);
 *
 * so the event exists if and only if the change committed. dispatch (after the commit) only hurries the
 * deliveries: if it never runs, the sweeper sends them within SWEEP_INTERVAL_SECONDS.
 */
@Injectable()
export class PublishWebhookEvent {
  private readonly logger = new Logger('webhooks');

  constructor(
    private readonly transactions: Transactions,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly queue: WebhookQueue,
    private readonly endpoints: WebhookEndpointsRepository,
  ) {}

  /**
   * Which (organisation, type) pairs have an enabled endpoint, as `<organisation id>|<type>`: a use case publishing
   * many events in one transaction (the finalization of a chunk of invoices) skips the types nobody takes. An
   * event published with no endpoint taking it makes no delivery, and an endpoint added later never receives
   * earlier events, so skipping it changes nothing a receiver can see.
   */
  subscribed(tx: Tx, organizationIds: readonly string[]): Promise<Set<string>> {
    return this.endpoints.subscribedTypes(tx, organizationIds);
  }

  /** In a transaction of its own, then dispatched. */
  async execute(command: PublishWebhookEventCommand): Promise<PublishedEvent> {
    const published = await this.transactions.run((tx) => this.publish(tx, command));
    await this.dispatch(published);
    return published;
  }

  /** Inside the caller's transaction `tx`; call dispatch with the result once it committed. */
  publish(tx: Tx, command: PublishWebhookEventCommand): Promise<PublishedEvent> {
    // A programming error, not a user's: the types are a closed list and the key is built by the caller. Checked
    // as a plain string: the type says it is one of the list, but a cast or a JS caller can get past that.
    const type: string = command.type;
    if (!isWebhookEventType(type)) throw new Error(`"${type}" is not a webhook event type (libs/billing/src/webhooks/event-types.ts)`);
    if (command.subjectKey.length === 0 || command.subjectKey.length > 1000)
      throw new Error('a webhook subject key is 1 to 1,000 characters');
    return this.deliveries.publish(tx, command);
  }

  /** Hands the deliveries to the queue. Never throws: a delivery left out is the sweeper's. */
  async dispatch(...published: PublishedEvent[]): Promise<void> {
    const deliveries = published.flatMap((p) => p.deliveries);
    await this.queue.schedule(deliveries).catch((err: Error) =>
      this.logger.warn({
        msg: 'could not enqueue webhook deliveries; the sweeper will',
        deliveries: deliveries.length,
        err: err.message,
      }),
    );
  }
}
