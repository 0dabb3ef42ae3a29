import type { DecimalBounds } from './schema/primitives';

// Bounds on the numbers the API takes. Money is stored as numeric(65,30): 35 digits before the point, 30
// after. The bounds are chosen so that every amount the pricing can form from accepted input fits, with
// room to sum it over any realistic number of events (docs/input.md "Bounds"; limits.spec.ts proves it
// with the pricing code itself).

/** Each usage dimension of an event: an integer count. */
export const MAX_USAGE_COUNT = 1_000_000_000_000;

/**
 * A price as the API takes it (rate overrides, token-mode plan prices): per million tokens, per unit for
 * counts. At most 1,000,000, so at most 1 per token or 1,000,000 per request, image or search. At most
 * 24 decimal places: stored per token (÷ 10^6) that is 30, numeric's scale, so a cost is exact.
 */
export const PRICE: DecimalBounds = {
  integerDigits: 7,
  fractionDigits: 24,
  min: '0',
  max: '1000000',
  description: 'Per million tokens (per unit for requests, images, web_searches).',
};

/** The cost a provider reported for one call (an event's `cost`): below 10^18. */
export const REPORTED_COST: DecimalBounds = {
  integerDigits: 18,
  fractionDigits: 30,
  min: '0',
  description: 'Cost the provider reported for this call.',
};

/** Price-mode markup: −100% (free) to +100,000%, so a rated amount is at most 1,001 × its cost. */
export const MARKUP: DecimalBounds = { integerDigits: 4, fractionDigits: 30, min: '-1', max: '1000', description: '0.30 means +30%.' };

/** Margin floor: the line is never below cost / (1 − floor); 0.999 caps that at 1,000 × cost. */
export const MARGIN_FLOOR: DecimalBounds = {
  integerDigits: 1,
  fractionDigits: 30,
  min: '0',
  max: '0.999',
  description: '0.20 means the line is never below provider_cost / 0.8.',
};

/** A customer's discount: 0 to 1 (100%). */
export const DISCOUNT: DecimalBounds = { integerDigits: 1, fractionDigits: 30, min: '0', max: '1', example: '0.10' };

/** A spending cap per period: non-negative, at most 20 digits before the point (as plan amounts). */
export const SPEND_CAP: DecimalBounds = {
  integerDigits: 20,
  fractionDigits: 30,
  min: '0',
  description: 'Per billing period, in the plan currency.',
};

/** Plan amounts (base fee, included usage, minimum commitment): their decimal places are the currency's (libs/pricing). */
export const PLAN_AMOUNT: DecimalBounds = { integerDigits: 20, fractionDigits: 30, min: '0' };

/** Price-tier thresholds of an override, in prompt tokens: a prompt is at most 5 × 10^12 input-side tokens. */
export const MAX_TIER_THRESHOLD = 5 * MAX_USAGE_COUNT;

/** A fixed coupon's amount: positive, in the customer's currency (its decimal places are checked against it). */
export const COUPON_AMOUNT: DecimalBounds = { integerDigits: 20, fractionDigits: 30, min: '0', example: '10.00' };

/** A percentage coupon: above 0, at most 100 ("10" is 10% of the invoice so far). */
export const COUPON_PERCENT: DecimalBounds = { integerDigits: 3, fractionDigits: 30, min: '0', max: '100', example: '15' };

/** An organisation's target margin: a fraction of revenue, 0 to 0.999 (as a margin floor). */
export const TARGET_MARGIN: DecimalBounds = {
  integerDigits: 1,
  fractionDigits: 30,
  min: '0',
  max: '0.999',
  description: '0.30: customers should keep a margin of 30% of revenue (the margin-cliff report and margin.below_target).',
};
/** A portal link's lifetime in seconds: a minute to 90 days; 7 days when not given. */
export const PORTAL_TOKEN_SECONDS = { min: 60, max: 90 * 86_400, default: 7 * 86_400 } as const;

/** A stress test's price multiplier (× a provider's prices) and usage growth (× usage): 0 to 1,000. */
export const SIMULATION_FACTOR: DecimalBounds = { integerDigits: 4, fractionDigits: 12, min: '0', max: '1000', example: '2' };

/** A stress test's routing shift: the share of a model's events moved, 0 to 1, to a millionth. */
export const ROUTING_SHARE: DecimalBounds = { integerDigits: 1, fractionDigits: 6, min: '0', max: '1', example: '0.25' };

/** Entries of a stress test's lists (price multipliers, routing shifts) and customers named. */
export const MAX_SIMULATION_RULES = 100;
export const MAX_SIMULATION_CUSTOMERS = 1000;
/** A credit grant's amount and a top-up rule's amounts: in the customer's currency (its decimal places are checked against it). */
export const CREDIT_AMOUNT: DecimalBounds = { integerDigits: 20, fractionDigits: 30, min: '0', example: '50.00' };

/** A grant's priority: lower numbers are used first. */
export const MAX_CREDIT_PRIORITY = 1_000_000;

/** A top-up grant's lifetime in days (ten years at most). */
export const MAX_TOP_UP_EXPIRY_DAYS = 3660;
