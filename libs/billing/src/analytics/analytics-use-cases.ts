import { CheckMarginTargets } from './check-margin-targets';
import { GetMarginCliff, MarginCliff } from './get-margin-cliff';
import { GetMarginReport, MarginGroups } from './get-margin-report';

/** The analytics use cases (docs/api.md "Analytics"), registered in BillingModule. */
export const ANALYTICS_USE_CASES = [GetMarginReport, GetMarginCliff, CheckMarginTargets];

/** What they share, provided but not exported. */
export const ANALYTICS_PROVIDERS = [MarginGroups, MarginCliff];
