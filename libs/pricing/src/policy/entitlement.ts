import type { Decimal } from '@tollgate/money';

/** Why the entitlement refuses another model call. */
export type EntitlementReason = 'credits_exhausted' | 'spend_cap_reached';

export interface EntitlementInput {
  /** The customer's plan is prepaid: calls need prepaid credit left. */
  readonly prepaid: boolean;
  /** The wallet's balance minus what the current period (and drafts not finalized) owe so far. */
  readonly ongoing_balance: Decimal;
  /** The period's usage as the next invoice bills it (usage and late-usage lines net of the allowance). */
  readonly period_usage: Decimal;
  /** Per period; null: none. */
  readonly spend_cap: Decimal | null;
}

export type Entitlement = { readonly allowed: true } | { readonly allowed: false; readonly reason: EntitlementReason };

/**
 * Whether a customer may make another model call now (docs/api.md "Usage, preview, entitlement"): a customer on a
 * prepaid plan needs an ongoing balance above zero (exhausted credit is checked first: topping up is the remedy the
 * operator can automate), and the period's usage must be below the spending cap (reaching it refuses).
 */
export function entitlement(input: EntitlementInput): Entitlement {
  if (input.prepaid && input.ongoing_balance.lte(0)) return { allowed: false, reason: 'credits_exhausted' };
  if (input.spend_cap !== null && input.period_usage.gte(input.spend_cap)) return { allowed: false, reason: 'spend_cap_reached' };
  return { allowed: true };
}
