import { Global, Module } from '@nestjs/common';
import { EntitlementCache } from '@tollgate/billing';
import { EntitlementChanges } from '@tollgate/db';

/**
 * The api's in-process entitlement cache and the listener that keeps it current (docs/design.md "The api's
 * entitlement cache"); global, so that the entitlement check (CheckEntitlement) finds it. The worker has none.
 */
@Global()
@Module({
  providers: [EntitlementChanges, EntitlementCache],
  exports: [EntitlementCache],
})
export class EntitlementCacheModule {}
