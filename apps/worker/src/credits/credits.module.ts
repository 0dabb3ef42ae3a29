import { Module } from '@nestjs/common';
import { EntitlementRefresher } from './entitlement-refresher';

/** The entitlement refresher. Its use case comes from BillingModule. */
@Module({ providers: [EntitlementRefresher] })
export class CreditsModule {}
