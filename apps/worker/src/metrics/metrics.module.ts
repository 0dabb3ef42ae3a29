import { Global, Module } from '@nestjs/common';
import { PRICING_METRICS, STRIPE_METRICS } from '@tollgate/billing';
import { MetricsServer } from './metrics-server';
import { WorkerMetrics } from './worker-metrics';

/** The worker's metrics: pricing and the Stripe push report to them (PRICING_METRICS, STRIPE_METRICS), GET /metrics serves them. */
@Global()
@Module({
  providers: [
    WorkerMetrics,
    { provide: PRICING_METRICS, useExisting: WorkerMetrics },
    { provide: STRIPE_METRICS, useExisting: WorkerMetrics },
    MetricsServer,
  ],
  exports: [WorkerMetrics, PRICING_METRICS, STRIPE_METRICS],
})
export class WorkerMetricsModule {}
