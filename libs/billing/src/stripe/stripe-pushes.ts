import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CONFIG, QUEUES, type TollgateConfig } from '@tollgate/config';
import { StripePushesRepository, type Tx } from '@tollgate/db';

/** A `push` job: do whatever the invoice's push has left (libs/billing/src/stripe/push-invoice-to-stripe.ts). The `sweep` job has none. */
export interface StripeJob {
  invoiceId?: string;
}

/**
 * Where finalizing and voiding meet the Stripe push (docs/design.md "Stripe"). In the finalizing transaction,
 * `open` writes one push per invoice finalized (so an invoice finalized while the push is on is pushed, whatever
 * happens to Redis); after the commit, `enqueue` hurries it. Off (no STRIPE_SECRET_KEY) both do nothing and
 * invoices stay in Tollgate.
 */
@Injectable()
export class StripePushes implements OnApplicationShutdown {
  private readonly logger = new Logger('stripe');
  private readonly queue: Queue<StripeJob> | undefined;
  private readonly redis: Redis | undefined;

  constructor(
    private readonly pushes: StripePushesRepository,
    @Inject(CONFIG) config: TollgateConfig,
  ) {
    if (!config.stripe) return;
    // Fail fast when Redis is down: the caller has committed already and the sweeper will catch up. Its own
    // connection, so that shutting down ends it even while Redis is away (a queue's close() cannot then).
    this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.queue = new Queue<StripeJob>(QUEUES.stripe, {
      prefix: config.queuePrefix,
      connection: this.redis,
      defaultJobOptions: {
        // 5xx, network errors and timeouts: retried with backoff doubling from STRIPE_RETRY_BASE_SECONDS (about
        // 17 minutes in all at the default); a push still not done after that is the sweeper's.
        attempts: 11,
        backoff: { type: 'exponential', delay: config.stripe.retryBaseMs },
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.queue.on('error', () => undefined);
  }

  get enabled(): boolean {
    return this.queue !== undefined;
  }

  /** In the finalizing transaction: a push for each invoice (when the push is on). */
  async open(tx: Tx, invoiceIds: readonly string[]): Promise<void> {
    if (this.enabled) await this.pushes.open(tx, invoiceIds);
  }

  /** In the voiding transaction: an invoice with a push gets Stripe's voided too. True when it has one. */
  async requestVoid(tx: Tx, invoiceId: string): Promise<boolean> {
    return this.pushes.requestVoid(tx, invoiceId);
  }

  /**
   * After the commit: a job per invoice (`void` jobs apart from `push` ones, so a void requested while a push job
   * runs is not swallowed by it). Never throws: a push left out is the sweeper's.
   */
  async enqueue(invoiceIds: readonly string[], kind: 'push' | 'void' = 'push'): Promise<void> {
    if (!this.queue || invoiceIds.length === 0) return;
    await this.queue
      .addBulk(invoiceIds.map((invoiceId) => ({ name: kind, data: { invoiceId }, opts: { jobId: `${kind}.${invoiceId}` } })))
      .catch((err: Error) =>
        this.logger.warn({ msg: 'could not enqueue Stripe pushes; the sweeper will', invoices: invoiceIds.length, err: err.message }),
      );
  }

  /** The queue itself (the worker's processor moves its jobs; tests empty it). */
  get jobs(): Queue<StripeJob> | undefined {
    return this.queue;
  }

  async onApplicationShutdown() {
    await this.queue?.close().catch(() => undefined);
    this.redis?.disconnect();
  }
}
