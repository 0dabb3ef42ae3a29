import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PriceQueue, type PricingMetrics, type StripeAlertReason, type StripeMetrics } from '@tollgate/billing';
import { AnalyticsRollupsRepository, CreditsRepository, IngestBatchesRepository } from '@tollgate/db';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * Prometheus metrics of one worker process (GET /metrics on WORKER_METRICS_PORT). Counters count what this
 * process did; the queue depth and the quarantine are read from Redis and Postgres at each scrape, so every
 * worker reports the same values for them.
 */
@Injectable()
export class WorkerMetrics implements PricingMetrics, StripeMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'tollgate_worker_events_total',
    help: 'Events this worker finished pricing, by outcome: priced, unpriced (no rate), quarantined (their batch kept failing)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly lag = new Histogram({
    name: 'tollgate_event_priced_lag_seconds',
    help: 'Time from an event received by the api to its pricing committed by this worker',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'tollgate_pricing_refused_events_total',
    help: 'Events whose amounts Postgres refused (out of range): left unpriced with the reason so the rest of their batch was priced',
    registers: [this.registry],
  });
  private readonly rateSyncs = new Counter({
    name: 'tollgate_rate_syncs_total',
    help: "Rate syncs this worker ran, by source and that source's outcome (applied, unchanged, held, failed)",
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly stripePushes = new Counter({
    name: 'tollgate_stripe_pushes_total',
    help: 'Stripe pushes this worker ended, by outcome: done (on Stripe, finalized), failed (stopped with an alert), voided',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly stripeAlerts = new Counter({
    name: 'tollgate_stripe_alerts_total',
    help: "Stripe pushes stopped for an operator: push_failed (a permanent error), mismatch (Stripe's amounts differ from ours), paid_after_void",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(queue: PriceQueue, batches: IngestBatchesRepository, rollups: AnalyticsRollupsRepository, credits: CreditsRepository) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_worker_' });
    for (const outcome of ['priced', 'unpriced', 'quarantined']) this.events.inc({ outcome }, 0);
    for (const outcome of ['done', 'failed', 'voided']) this.stripePushes.inc({ outcome }, 0);
    for (const reason of ['push_failed', 'mismatch', 'paid_after_void']) this.stripeAlerts.inc({ reason }, 0);
    new Gauge({
      name: 'tollgate_price_queue_jobs',
      help: 'Jobs of the price queue by state (in Redis, shared by every worker)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        // Redis away: NaN (unknown) rather than a stale value, and the other metrics still served.
        const counts = await queue.queue.getJobCounts(...QUEUE_STATES).catch(() => null);
        for (const state of QUEUE_STATES) this.set({ state }, counts === null ? NaN : (counts[state] ?? 0));
      },
    });
    new Gauge({
      name: 'tollgate_quarantined_batches',
      help: 'Ingest batches quarantined after PRICE_MAX_ATTEMPTS failures in a row, waiting for POST /v1/events/quarantine/retry (every organisation)',
      registers: [this.registry],
      async collect() {
        const quarantined = await batches.quarantined().catch(() => null);
        this.set(quarantined === null ? NaN : quarantined.batches);
      },
    });
    new Gauge({
      name: 'tollgate_rollup_pending_writes',
      help: 'Pricing writes whose events the worker has not yet folded into the analytics rollups (every organisation)',
      registers: [this.registry],
      async collect() {
        const backlog = await rollups.backlog().catch(() => null);
        this.set(backlog === null ? NaN : backlog.pending);
      },
    });
    new Gauge({
      name: 'tollgate_rollup_pending_oldest_seconds',
      help: 'Age of the oldest pricing write whose events the worker has not yet folded into the analytics rollups (0 when none)',
      registers: [this.registry],
      async collect() {
        const backlog = await rollups.backlog().catch(() => null);
        this.set(backlog === null ? NaN : backlog.oldestSeconds);
      },
    });
    new Gauge({
      name: 'tollgate_entitlement_refresh_pending',
      help: 'Customers whose entitlement pricing marked stale and the refresher has not yet recomputed (every organisation)',
      registers: [this.registry],
      async collect() {
        const backlog = await credits.staleBacklog().catch(() => null);
        this.set(backlog === null ? NaN : backlog.pending);
      },
    });
    new Gauge({
      name: 'tollgate_entitlement_refresh_oldest_seconds',
      help: 'Age of the oldest mark of an entitlement waiting for the refresher (0 when none)',
      registers: [this.registry],
      async collect() {
        const backlog = await credits.staleBacklog().catch(() => null);
        this.set(backlog === null ? NaN : backlog.oldestSeconds);
      },
    });
  }

  batchPriced(priced: number, unpriced: number, lagSeconds: readonly number[]): void {
    this.events.inc({ outcome: 'priced' }, priced);
    this.events.inc({ outcome: 'unpriced' }, unpriced);
    for (const seconds of lagSeconds) this.lag.observe(seconds);
  }

  batchQuarantined(events: number): void {
    this.events.inc({ outcome: 'quarantined' }, events);
  }

  pushEnded(outcome: 'done' | 'failed' | 'voided'): void {
    this.stripePushes.inc({ outcome });
  }

  alert(reason: StripeAlertReason): void {
    this.stripeAlerts.inc({ reason });
  }

  eventsRefused(events: number): void {
    this.refused.inc(events);
  }

  rateSynced(outcomes: Record<string, string>): void {
    for (const [source, outcome] of Object.entries(outcomes)) this.rateSyncs.inc({ source, outcome });
  }
}
