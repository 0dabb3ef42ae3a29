import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EntitlementAnswer, EntitlementMetrics, IngestMetrics, StripeAlertReason, StripeMetrics } from '@tollgate/billing';

/** Prometheus metrics of one api process (GET /metrics). */
export class Metrics implements StripeMetrics, IngestMetrics, EntitlementMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'tollgate_events_total',
    help: 'Events received by POST /v1/events, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly ingestShed = new Counter({
    name: 'tollgate_ingest_shed_total',
    help: 'POST /v1/events answered 503 before their body was read: the api held INGEST_MAX_IN_FLIGHT_MB of batches',
    registers: [this.registry],
  });
  readonly eventsPricedAtIngest = new Counter({
    name: 'tollgate_events_priced_at_ingest_total',
    help: "Events the api priced as it stored them (the worker's tollgate_worker_events_total counts the ones it priced)",
    registers: [this.registry],
  });
  readonly entitlementChecks = new Counter({
    name: 'tollgate_entitlement_checks_total',
    help: "Entitlement checks by where the answer came from: memory (the api's cache), stored (Postgres's cached row), computed",
    labelNames: ['answer'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'tollgate_http_request_duration_seconds',
    help: 'HTTP request latency, from the request received to the response sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly stripeAlerts = new Counter({
    name: 'tollgate_stripe_alerts_total',
    help: 'Stripe webhooks an operator must look at: paid_after_void (Stripe collected an invoice voided here)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
    for (const result of ['accepted', 'duplicate', 'rejected']) this.events.inc({ result }, 0);
    for (const answer of ['memory', 'stored', 'computed']) this.entitlementChecks.inc({ answer }, 0);
    this.stripeAlerts.inc({ reason: 'paid_after_void' }, 0);
  }

  entitlementChecked(answer: EntitlementAnswer): void {
    this.entitlementChecks.inc({ answer });
  }

  pricedAtIngest(events: number): void {
    this.eventsPricedAtIngest.inc(events);
  }

  alert(reason: StripeAlertReason): void {
    this.stripeAlerts.inc({ reason });
  }

  /** One POST /v1/events request's results. */
  countIngested(results: readonly { status: 'accepted' | 'duplicate' | 'rejected' }[]): void {
    let accepted = 0,
      duplicate = 0,
      rejected = 0;
    for (const r of results) {
      if (r.status === 'accepted') accepted++;
      else if (r.status === 'duplicate') duplicate++;
      else rejected++;
    }
    this.events.inc({ result: 'accepted' }, accepted);
    this.events.inc({ result: 'duplicate' }, duplicate);
    this.events.inc({ result: 'rejected' }, rejected);
  }
}
