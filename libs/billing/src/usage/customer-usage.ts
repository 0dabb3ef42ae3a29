import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AggregateRow, DB_POOL, UsageGroupBy, UsageRepository } from '@tollgate/db';
import { Decimal, formatAmount, ZERO } from '@tollgate/money';
import { billingPeriod, ChargeAggregate, computeInvoice, emptyUsage, Invoice, USAGE_DIMENSIONS } from '@tollgate/pricing';
import { PlanBook, versionForPeriod } from '../pricing/plan-book';

export class CustomerNotFoundError extends Error {}

const dec = (v: Decimal) => v.toFixed();

function toChargeAggregate(row: AggregateRow): ChargeAggregate {
  const tokens = emptyUsage();
  for (const d of USAGE_DIMENSIONS) tokens[d] = BigInt(row.tokens[d]);
  return { charge: row.charge, events: BigInt(row.events), provider_cost: new Decimal(row.provider_cost), rated_amount: new Decimal(row.rated_amount), tokens };
}

export function invoiceToJson(invoice: Invoice) {
  return {
    currency: invoice.currency,
    lines: invoice.lines.map((l) => ({
      type: l.type,
      description: l.description,
      charge: l.charge,
      provider_cost: l.provider_cost === null ? null : dec(l.provider_cost),
      amount: formatAmount(l.amount, invoice.currency),
      amount_precise: dec(l.amount_precise),
      floor_applied: l.floor_applied,
      ...(l.usage ? { events: Number(l.usage.events), rated_amount: dec(l.usage.rated_amount) } : {}),
    })),
    subtotal: formatAmount(invoice.subtotal, invoice.currency),
    credits_applied: formatAmount(invoice.credits_applied, invoice.currency),
    total: formatAmount(invoice.total, invoice.currency),
  };
}

/**
 * Live usage and the invoice preview of a customer's current period, from the same priced events and
 * aggregates, through the same computeInvoice the period's invoice will use.
 */
@Injectable()
export class CustomerUsage {
  private readonly repo: UsageRepository;
  private readonly plans: PlanBook;

  constructor(@Inject(DB_POOL) pool: Pool) {
    this.repo = new UsageRepository(pool);
    this.plans = new PlanBook(pool);
  }

  private async context(organizationId: string, externalId: string) {
    const customer = await this.repo.customerId(organizationId, externalId);
    if (!customer) throw new CustomerNotFoundError(`customer "${externalId}" not found`);
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code])).get(customer.plan_code) ?? [];
    const interval = versions.length ? versions[versions.length - 1].plan.interval : 'month';
    const period = billingPeriod(Date.now(), customer.billing_anchor, interval);
    return { customer, versions, period };
  }

  async usage(organizationId: string, externalId: string, groupBy: UsageGroupBy, from?: Date, to?: Date) {
    const { customer, period } = await this.context(organizationId, externalId);
    const start = from ?? period.start;
    const end = to ?? period.end;
    const [groups, notPriced] = await Promise.all([this.repo.groups(customer.id, start, end, groupBy), this.repo.notPriced(customer.id, start, end)]);
    const totals = { events: 0n, provider_cost: ZERO, rated_amount: ZERO, tokens: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, 0n])) as Record<string, bigint> };
    for (const g of groups) {
      totals.events += BigInt(g.events);
      totals.provider_cost = totals.provider_cost.plus(g.provider_cost);
      totals.rated_amount = totals.rated_amount.plus(g.rated_amount);
      for (const d of USAGE_DIMENSIONS) totals.tokens[d] += BigInt(g.tokens[d]);
    }
    const tokensJson = (t: Record<string, string | bigint>) => Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, Number(t[d])]));
    return {
      from: start.toISOString(),
      to: end.toISOString(),
      group_by: groupBy,
      groups: groups.map((g) => ({
        key: g.key,
        events: Number(g.events),
        provider_cost: dec(new Decimal(g.provider_cost)),
        rated_amount: dec(new Decimal(g.rated_amount)),
        tokens: tokensJson(g.tokens),
      })),
      totals: {
        events: Number(totals.events),
        provider_cost: dec(totals.provider_cost),
        rated_amount: dec(totals.rated_amount),
        tokens: tokensJson(totals.tokens),
        pending_events: notPriced.pending,
        unpriced_events: notPriced.unpriced,
      },
    };
  }

  /**
   * Whether the customer may make another model call now. NOTE: prepaid credits are not modelled yet, so the
   * spending cap alone decides; period_usage is the period's usage lines net of the allowance, as invoiced.
   */
  async entitlement(organizationId: string, externalId: string) {
    const preview = await this.preview(organizationId, externalId);
    const customer = (await this.repo.customerId(organizationId, externalId))!;
    const usage = preview.invoice.lines
      .filter((l) => l.type === 'usage' || l.type === 'allowance')
      .reduce((sum, l) => sum.plus(l.amount), ZERO);
    const cap = customer.spend_cap === null ? null : new Decimal(customer.spend_cap);
    const allowed = cap === null || usage.lt(cap);
    return {
      allowed,
      ...(allowed ? {} : { reason: 'spend_cap_reached' }),
      ongoing_balance: formatAmount(ZERO, preview.currency),
      period_usage: formatAmount(usage, preview.currency),
      ...(cap === null ? {} : { spend_cap: cap.toFixed() }),
    };
  }

  async preview(organizationId: string, externalId: string) {
    const { invoice, ...rest } = await this.previewInvoice(organizationId, externalId);
    return { ...rest, ...invoiceToJson(invoice), invoice };
  }

  private async previewInvoice(organizationId: string, externalId: string) {
    const { customer, versions, period } = await this.context(organizationId, externalId);
    const version = versionForPeriod(versions, period.end.getTime());
    if (!version) throw new CustomerNotFoundError(`the plan "${customer.plan_code}" of customer "${externalId}" does not exist`);
    const usage = (await this.repo.aggregates(customer.id, period.start)).map(toChargeAggregate);
    const invoice = computeInvoice({
      plan: version.plan,
      usage,
      late_usage: [],
      discount: new Decimal(customer.discount),
      coupons: [],
      grants: [],
      as_of: new Date(),
    });
    return {
      id: null,
      number: null,
      status: 'preview',
      external_customer_id: externalId,
      plan_code: customer.plan_code,
      plan_version: version.version,
      period_start: period.start.toISOString(),
      period_end: period.end.toISOString(),
      invoice,
    };
  }
}
