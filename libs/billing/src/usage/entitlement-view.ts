import { Decimal, formatAmount } from '@tollgate/money';
import type { EntitlementReason } from '@tollgate/pricing';

/** What the entitlement check answers (docs/api.md "Usage, preview, entitlement"). */
export interface EntitlementView {
  allowed: boolean;
  reason?: EntitlementReason;
  ongoing_balance: string;
  period_usage: string;
  spend_cap?: string;
}

/** A stored or computed entitlement, as Postgres gives it (amounts as exact decimal text). */
export interface EntitlementFigures {
  allowed: boolean;
  reason: string | null;
  currency: string;
  ongoing_balance: string;
  period_usage: string;
  spend_cap: string | null;
}

/** The answer: balances in the currency's minor unit, the cap as set. */
export function entitlementView(e: EntitlementFigures): EntitlementView {
  return {
    allowed: e.allowed,
    ...(e.allowed || e.reason === null ? {} : { reason: e.reason as EntitlementReason }),
    ongoing_balance: formatAmount(new Decimal(e.ongoing_balance), e.currency),
    period_usage: formatAmount(new Decimal(e.period_usage), e.currency),
    ...(e.spend_cap === null ? {} : { spend_cap: new Decimal(e.spend_cap).toFixed() }),
  };
}
