import { Global, Module } from '@nestjs/common';
import { INGEST_METRICS, STRIPE_METRICS } from '@tollgate/billing';
import { Metrics } from './metrics';

/** The api's metrics, global so that the billing use cases report to them (INGEST_METRICS, STRIPE_METRICS). */
@Global()
@Module({
  providers: [Metrics, { provide: STRIPE_METRICS, useExisting: Metrics }, { provide: INGEST_METRICS, useExisting: Metrics }],
  exports: [Metrics, STRIPE_METRICS, INGEST_METRICS],
})
export class ApiMetricsModule {}
