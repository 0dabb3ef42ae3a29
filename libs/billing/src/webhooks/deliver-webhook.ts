import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { WebhookDeliveriesRepository } from '@tollgate/db';
import { nextAttemptAt, RETRY_WINDOW_MS } from './retry-schedule';
import { webhookBody, webhookHeaders } from './webhook-request';
import { WebhookQueue } from './webhook-queue';
import { WebhookSender } from './webhook-sender';

export interface DeliverWebhookCommand {
  deliveryId: string;
}

export type DeliverWebhookResult =
  | {
      outcome: 'delivered' | 'retrying' | 'failed';
      attempt: number;
      statusCode: number | null;
      error: string | null;
      nextAttemptAt: Date | null;
    }
  /** Nothing sent: delivered, given up or canceled already, or its next attempt not due (it was scheduled). */
  | { outcome: 'skipped'; reason: string };

/** How far ahead of its time an attempt may start: the worker's and Postgres's clocks differ a little. */
const CLOCK_TOLERANCE_MS = 1000;
/** Beyond the attempt's deadline: if no outcome is recorded by then, the worker is taken for dead. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Makes the next attempt of a delivery (docs/design.md, "Webhooks"): claims it in Postgres (two jobs for one
 * delivery, or two workers, make one attempt; a delivered one is never sent again), POSTs the signed body,
 * and records the outcome: a 2xx is delivered; anything else, or no answer within WEBHOOK_TIMEOUT_SECONDS, is
 * retried with backoff for 24 hours, then the delivery has failed.
 */
@Injectable()
export class DeliverWebhook {
  private readonly logger = new Logger('webhooks');

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly sender: WebhookSender,
    private readonly queue: WebhookQueue,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  async execute({ deliveryId }: DeliverWebhookCommand): Promise<DeliverWebhookResult> {
    const { timeoutMs, retryBaseMs, retryMaxDelayMs } = this.config.webhooks;
    const claimed = await this.deliveries.claim(deliveryId, CLOCK_TOLERANCE_MS, timeoutMs + LEASE_MARGIN_MS);
    if (claimed === null) return this.notClaimed(deliveryId);

    const { event, attempt } = claimed;
    const body = webhookBody(event);
    const headers = webhookHeaders(event, deliveryId, claimed.secret, Math.floor(Date.now() / 1000), body);
    const response = await this.sender.post(claimed.url, body, headers, timeoutMs);
    const finishedAt = new Date();
    const delivered = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
    const next = delivered
      ? null
      : nextAttemptAt(
          attempt,
          finishedAt,
          claimed.deliveryCreatedAt,
          { baseMs: retryBaseMs, maxDelayMs: retryMaxDelayMs, windowMs: RETRY_WINDOW_MS },
          Math.random(),
        );
    const status = delivered ? 'delivered' : next === null ? 'failed' : 'pending';
    const moved = await this.deliveries.record({
      deliveryId,
      attempt,
      finishedAt,
      durationMs: response.durationMs,
      statusCode: response.statusCode,
      error: response.error,
      status,
      nextAttemptAt: next,
    });
    if (moved && next !== null) {
      await this.queue
        .schedule([{ id: deliveryId, attempt: attempt + 1, dueAt: next }])
        .catch((err: Error) =>
          this.logger.warn({ msg: 'could not schedule the next attempt; the sweeper will', deliveryId, err: err.message }),
        );
    }
    return {
      outcome: delivered ? 'delivered' : next === null ? 'failed' : 'retrying',
      attempt,
      statusCode: response.statusCode,
      error: response.error,
      nextAttemptAt: next,
    };
  }

  /** Another job has it, it is done, or its time has not come: schedule it for then, or leave it. */
  private async notClaimed(deliveryId: string): Promise<DeliverWebhookResult> {
    const state = await this.deliveries.state(deliveryId);
    if (state === null) return { outcome: 'skipped', reason: 'no such delivery' };
    if (state.status !== 'pending') return { outcome: 'skipped', reason: `the delivery is ${state.status}` };
    if (state.endpointDisabled) {
      // Published while the endpoint was being disabled: the disable's cancel did not see it yet.
      await this.deliveries.cancel(deliveryId);
      return { outcome: 'skipped', reason: 'the endpoint is disabled' };
    }
    // Not due by Postgres's clock, or leased by an attempt in flight (if that one's worker dies, this takes over).
    const dueAt = Math.max(state.next_attempt_at?.getTime() ?? 0, Date.now() + CLOCK_TOLERANCE_MS);
    await this.queue.schedule([{ id: deliveryId, attempt: state.attempts + 1, dueAt: new Date(dueAt) }]);
    return { outcome: 'skipped', reason: 'its next attempt is not due' };
  }
}
