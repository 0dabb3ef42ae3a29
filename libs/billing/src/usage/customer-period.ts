import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository, UsageRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { billingPeriod, computeInvoice, type BillingPeriod, type Invoice } from '@tollgate/pricing';
import { NotFoundError } from '../errors';
import { periodInterval, PlanBook, PlanVersion, versionForPeriod } from '../pricing/plan-book';
import { chargeAggregates } from './period-usage';

export interface CustomerPeriod {
  customer: CustomerRow;
  versions: PlanVersion[];
  /** The period containing now, cut with the interval of the customer's plan. */
  period: BillingPeriod;
}

export interface PeriodInvoice extends CustomerPeriod {
  version: PlanVersion;
  invoice: Invoice;
}

/**
 * A customer's current period and the invoice it would produce now, from the period's aggregates through the
 * same computeInvoice the period's invoice will use: live usage, the preview and the entitlement agree.
 */
@Injectable()
export class CurrentPeriod {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly usage: UsageRepository,
    private readonly plans: PlanBook,
  ) {}

  async of(organizationId: string, externalId: string, now = new Date()): Promise<CustomerPeriod> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code])).get(customer.plan_code) ?? [];
    return { customer, versions, period: billingPeriod(now, customer.billing_anchor, periodInterval(versions)) };
  }

  async invoice(organizationId: string, externalId: string): Promise<PeriodInvoice> {
    const current = await this.of(organizationId, externalId);
    const version = versionForPeriod(current.versions, current.period.end.getTime());
    if (!version) throw new NotFoundError(`the plan "${current.customer.plan_code}" of customer "${externalId}" does not exist`);
    const usage = chargeAggregates(await this.usage.aggregates(current.customer.id, current.period.start));
    const invoice = computeInvoice({
      plan: version.plan,
      usage,
      late_usage: [],
      discount: new Decimal(current.customer.discount),
      coupons: [],
      grants: [],
      as_of: new Date(),
    });
    return { ...current, version, invoice };
  }
}
