import { CheckMarginTargets } from './check-margin-targets';
import { FoldRollups } from './fold-rollups';
import { GetCacheSavings } from './get-cache-savings';
import { GetMarginCliff, MarginCliff } from './get-margin-cliff';
import { GetMarginReport, MarginGroups } from './get-margin-report';
import { GetTaskCosts } from './get-task-costs';
import { ListPriceChanges } from './list-price-changes';
import { RecordPriceChanges } from './record-price-changes';
import { RefreshRevenueShares } from './refresh-revenue-shares';

/** The analytics use cases (docs/api.md "Analytics"), registered in BillingModule. */
export const ANALYTICS_USE_CASES = [
  GetMarginReport,
  GetMarginCliff,
  CheckMarginTargets,
  GetTaskCosts,
  GetCacheSavings,
  RecordPriceChanges,
  ListPriceChanges,
  FoldRollups,
  RefreshRevenueShares,
];

/** What they share, provided but not exported. */
export const ANALYTICS_PROVIDERS = [MarginGroups, MarginCliff];
