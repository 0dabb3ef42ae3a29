import { Global, Module } from '@nestjs/common';
import { ENTITLEMENT_METRICS, INGEST_METRICS, STRIPE_METRICS } from '@tollgate/billing';
import { Metrics } from './metrics';

/** The api's metrics, global so that the billing use cases report to them (INGEST_METRICS, STRIPE_METRICS, ENTITLEMENT_METRICS). */
@Global()
@Module({
  providers: [
    Metrics,
    { provide: STRIPE_METRICS, useExisting: Metrics },
    { provide: INGEST_METRICS, useExisting: Metrics },
    { provide: ENTITLEMENT_METRICS, useExisting: Metrics },
  ],
  exports: [Metrics, STRIPE_METRICS, INGEST_METRICS, ENTITLEMENT_METRICS],
})
export class ApiMetricsModule {}
