import { Module } from '@nestjs/common';
import { RollupFolder } from './rollup-folder';

/** The analytics rollups' folder. Its use case comes from BillingModule. */
@Module({ providers: [RollupFolder] })
export class AnalyticsModule {}
