import type { ChargeMode, CostSource, LineDetail, Plan, PlanInterval } from './plan';

export interface ChargeJson {
  name: string;
  models: string[];
  mode: ChargeMode;
  markup?: string;
  token_prices?: Record<string, string>;
  margin_floor: string | null;
  allowance_eligible: boolean;
}

export interface PlanJson {
  code: string;
  name: string;
  currency: string;
  interval: PlanInterval;
  base_fee: string;
  included_usage: string;
  minimum_commitment: string;
  grace_period_hours: number;
  requires_approval: boolean;
  prepaid: boolean;
  cost_source: CostSource;
  customer_line_detail: LineDetail;
  charges: ChargeJson[];
}

/**
 * A plan as the API shows it and as it is stored (plans.definition): money as exact decimal strings.
 * validatePlan(planToJson(plan)) gives the same plan back.
 */
export function planToJson(plan: Plan): PlanJson {
  return {
    code: plan.code,
    name: plan.name,
    currency: plan.currency,
    interval: plan.interval,
    base_fee: plan.base_fee.toFixed(),
    included_usage: plan.included_usage.toFixed(),
    minimum_commitment: plan.minimum_commitment.toFixed(),
    grace_period_hours: plan.grace_period_hours,
    requires_approval: plan.requires_approval,
    prepaid: plan.prepaid,
    cost_source: plan.cost_source,
    customer_line_detail: plan.customer_line_detail,
    charges: plan.charges.map((c) => ({
      name: c.name,
      models: [...c.models],
      mode: c.mode,
      ...(c.mode === 'price'
        ? { markup: c.markup.toFixed() }
        : { token_prices: Object.fromEntries(Object.entries(c.token_prices).map(([d, p]) => [d, p!.toFixed()])) }),
      margin_floor: c.margin_floor === null ? null : c.margin_floor.toFixed(),
      allowance_eligible: c.allowance_eligible,
    })),
  };
}
