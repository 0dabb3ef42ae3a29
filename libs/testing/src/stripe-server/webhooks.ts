import { createHmac } from 'node:crypto';
import type { EventObject } from './objects';

/**
 * Stripe's signature (https://docs.stripe.com/webhooks#verify-manually): `t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>`.
 */
export function signStripePayload(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface DeliveryOptions {
  /** Sign with another secret (a forged or misconfigured delivery). */
  secret?: string;
  /** Sign as of this unix time (a stale or replayed delivery); default now. */
  timestamp?: number;
}

export interface Delivery {
  eventId: string;
  type: string;
  /** The endpoint's HTTP status; undefined when it could not be reached. */
  status?: number;
  error?: string;
  signature: string;
}

/**
 * Delivers events to one endpoint as Stripe does: a POST of the event JSON, signed. With `autoDeliver` every
 * new event is sent in order as it happens; without it events wait in `pending` for the test to deliver,
 * redeliver or reorder them.
 */
export class WebhookDispatcher {
  endpoint: WebhookEndpoint | undefined;
  autoDeliver = true;
  readonly deliveries: Delivery[] = [];
  private readonly pendingEvents: EventObject[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly nowSeconds: () => number) {}

  /** Called for every new event. */
  record(event: EventObject): void {
    if (!this.endpoint) return;
    event.pending_webhooks = 1;
    if (this.autoDeliver) void this.deliver(event);
    else this.pendingEvents.push(event);
  }

  /** Events held back (autoDeliver off), oldest first. */
  get pending(): readonly EventObject[] {
    return this.pendingEvents;
  }

  /** Sends one event now (again, if it was sent before); deliveries go out one at a time, in call order. */
  deliver(event: EventObject, options: DeliveryOptions = {}): Promise<Delivery> {
    const endpoint = this.endpoint;
    if (!endpoint) return Promise.reject(new Error('no webhook endpoint configured'));
    const at = this.pendingEvents.indexOf(event);
    if (at >= 0) this.pendingEvents.splice(at, 1);
    const result = this.chain.then(() => this.post(endpoint, event, options));
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Every pending event, in order or reversed (out-of-order delivery). */
  async deliverPending(order: 'oldest_first' | 'newest_first' = 'oldest_first'): Promise<Delivery[]> {
    const events = [...this.pendingEvents];
    if (order === 'newest_first') events.reverse();
    return Promise.all(events.map((event) => this.deliver(event)));
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  reset(): void {
    this.pendingEvents.length = 0;
    this.deliveries.length = 0;
  }

  private async post(endpoint: WebhookEndpoint, event: EventObject, options: DeliveryOptions): Promise<Delivery> {
    // Stripe sends the event pretty-printed; the signature covers these exact bytes.
    const payload = JSON.stringify(event, null, 2);
    const signature = signStripePayload(payload, options.secret ?? endpoint.secret, options.timestamp ?? this.nowSeconds());
    const delivery: Delivery = { eventId: event.id, type: event.type, signature };
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signature,
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.status = response.status;
      if (response.ok) event.pending_webhooks = 0;
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
