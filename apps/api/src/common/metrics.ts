import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one api process (GET /metrics). */
export class Metrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'tollgate_events_total',
    help: 'Events received by POST /v1/events, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'tollgate_http_request_duration_seconds',
    help: 'HTTP request latency, from the request received to the response sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
    for (const result of ['accepted', 'duplicate', 'rejected']) this.events.inc({ result }, 0);
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
