import type { Decimal } from '@tollgate/money';
import type { UsageDimension } from '../dimensions';

export type ChargeMode = 'price' | 'token';
export type CostSource = 'rate_card' | 'reported';
export type PlanInterval = 'week' | 'month' | 'year';
/** What the customer sees of usage (portal, PDF, Stripe): one line per charge, or one usage line (customer-lines.ts). */
export type LineDetail = 'per_charge' | 'summary';

/** One charge of a plan (docs/api.md "Customers and plans"); field names are the API's. */
export interface Charge {
  readonly name: string;
  /** Model patterns, case-insensitive; `*` is any run of characters, slashes included. */
  readonly models: readonly string[];
  readonly mode: ChargeMode;
  /** Price mode: rated = provider_cost × (1 + markup). 0 in token mode (unused there). */
  readonly markup: Decimal;
  /** Token mode: currency per million tokens (per unit for counts); absent dimensions fall back. */
  readonly token_prices: Readonly<Partial<Record<UsageDimension, Decimal>>>;
  /** null: no floor. f: the line is never below provider_cost / (1 − f); 0 means never below cost. */
  readonly margin_floor: Decimal | null;
  readonly allowance_eligible: boolean;
}

export interface Plan {
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly interval: PlanInterval;
  readonly base_fee: Decimal;
  /** The allowance: an amount per period, consumed by allowance-eligible usage lines. */
  readonly included_usage: Decimal;
  readonly minimum_commitment: Decimal;
  readonly grace_period_hours: number;
  readonly requires_approval: boolean;
  /**
   * A prepaid plan: its customers may use the product only while they have prepaid credit (the entitlement answers
   * `allowed: false`, reason `credits_exhausted`, once their ongoing balance is not above zero).
   */
  readonly prepaid: boolean;
  readonly cost_source: CostSource;
  readonly customer_line_detail: LineDetail;
  /** Matched in order; the last one matches every model (the default). */
  readonly charges: readonly Charge[];
}
