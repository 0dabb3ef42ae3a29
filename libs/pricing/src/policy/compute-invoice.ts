import { ZERO, type Decimal } from '@tollgate/money';
import type { ChargeAggregate } from './aggregate';
import { allowanceConsumed } from './allowance';
import { couponDeduction, type Coupon } from './coupon';
import { consumeCredits, creditsApplied, type CreditConsumption, type CreditGrant } from './credits';
import { applyDiscount } from './discount';
import { invoiceLine, type InvoiceLine } from './invoice-line';
import { lateUsageInOrder, type LateUsage } from './late-usage';
import { applyMarginFloor } from './margin-floor';
import { minimumCommitmentTopUp } from './minimum-commitment';
import type { Plan } from './plan';
import type { ChargeUsage } from './usage-lines';
import { usageInPlanOrder } from './usage-lines';

export interface InvoiceInput {
  /** The plan version of the period: charges (order, floors, allowance eligibility), fees, allowance, minimum. */
  readonly plan: Plan;
  /** The period's per-charge aggregates. */
  readonly usage: readonly ChargeAggregate[];
  /** Usage of already finalized periods, billed on this invoice. */
  readonly late_usage: readonly LateUsage[];
  /** The customer's discount, 0..1. */
  readonly discount: Decimal;
  /** Applied in the order given. */
  readonly coupons: readonly Coupon[];
  readonly grants: readonly CreditGrant[];
  /** When credits are applied: grants expired by then are not used. */
  readonly as_of: Date;
}

export interface Invoice {
  readonly currency: string;
  readonly lines: readonly InvoiceLine[];
  /** Σ lines of steps 1–7. */
  readonly subtotal: Decimal;
  readonly credits_applied: Decimal;
  /** subtotal − credits_applied, never negative. */
  readonly total: Decimal;
  /** The ledger entries of credit consumption, in use order. */
  readonly credit_consumption: readonly CreditConsumption[];
  /** Coupons that made a deduction (a `once` coupon is used up when this invoice is finalized). */
  readonly coupons_applied: readonly string[];
}

const sum = (lines: readonly InvoiceLine[]) => lines.reduce((s, l) => s.plus(l.amount), ZERO);

/**
 * The invoice of a customer's period, docs/design.md steps 1–9, composed here and only here. The same function
 * serves the invoice, its preview and live usage, so they agree. Each line is rounded once (invoiceLine);
 * every later step works on rounded amounts, so the lines always add up to the totals.
 */
export function computeInvoice(input: InvoiceInput): Invoice {
  const { plan } = input;
  const currency = plan.currency;

  // Steps 1–3, one line per charge with usage: discount, then the margin floor, then rounding.
  const usageLine = (u: ChargeUsage, type: 'usage' | 'late_usage', description: string, periodStart: Date | null) => {
    const discounted = applyDiscount(u.aggregate.rated_amount, input.discount);
    const floored = applyMarginFloor(discounted, u.aggregate.provider_cost, u.charge.margin_floor);
    return invoiceLine(type, description, floored.amount, currency, {
      charge: u.charge.name,
      provider_cost: u.aggregate.provider_cost,
      floor_applied: floored.floorApplied,
      usage: {
        events: u.aggregate.events,
        tokens: u.aggregate.tokens,
        rated_amount: u.aggregate.rated_amount,
        period_start: periodStart,
      },
    });
  };
  const current = usageInPlanOrder(input.usage, plan.charges);
  const usageLines = current.map((u) => usageLine(u, 'usage', `Usage: ${u.charge.name}`, null));
  const lateLines = lateUsageInOrder(input.late_usage, currency).map((u) =>
    usageLine(u, 'late_usage', `Late usage (period from ${u.periodStart.toISOString().slice(0, 10)}): ${u.charge.name}`, u.periodStart),
  );
  const lines: InvoiceLine[] = [...usageLines, ...lateLines];

  // Step 4: the allowance covers this period's usage only (a late period had its own).
  const consumed = allowanceConsumed(
    usageLines.map((line, i) => ({ amount: line.amount, allowanceEligible: current[i].charge.allowance_eligible })),
    plan.included_usage,
  );
  if (consumed.gt(0)) lines.push(invoiceLine('allowance', 'Included usage', consumed.neg(), currency));

  // Step 5.
  if (plan.base_fee.gt(0)) lines.push(invoiceLine('base_fee', `Base fee: ${plan.name}`, plan.base_fee, currency));

  // Step 6: this period's usage lines net of the allowance; base fee and late usage do not count.
  const topUp = minimumCommitmentTopUp(sum(usageLines).minus(consumed), plan.minimum_commitment);
  if (topUp.gt(0)) lines.push(invoiceLine('minimum_commitment', 'Minimum commitment', topUp, currency));

  // Step 7: each coupon on the sum so far, including earlier coupons' deductions.
  const couponsApplied: string[] = [];
  for (const coupon of input.coupons) {
    const deduction = couponDeduction(coupon, sum(lines), currency);
    if (!deduction.gt(0)) continue;
    const label = coupon.kind === 'percentage' ? `Coupon (${coupon.percent.toFixed()}%)` : 'Coupon';
    lines.push(invoiceLine('coupon', label, deduction.neg(), currency, { coupon_id: coupon.id }));
    couponsApplied.push(coupon.id);
  }
  const subtotal = sum(lines);

  // Steps 8–9.
  const consumption = consumeCredits(input.grants, subtotal, currency, input.as_of);
  const credits = creditsApplied(consumption);
  if (credits.gt(0)) lines.push(invoiceLine('credits', 'Credits', credits.neg(), currency));
  const total = subtotal.minus(credits);
  if (total.lt(0)) throw new Error('invoice total below zero: a deduction exceeded the subtotal');

  return {
    currency,
    lines,
    subtotal,
    credits_applied: credits,
    total,
    credit_consumption: consumption,
    coupons_applied: couponsApplied,
  };
}
