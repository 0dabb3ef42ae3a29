import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository, InvoicesRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { billingPeriod, type BillingPeriod, type Invoice } from '@tollgate/pricing';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { InvoiceCalculator, type InvoiceSubject } from '../invoices/invoice-calculator';
import { computedView, type InvoiceView } from '../invoices/invoice-view';
import { periodInterval, PlanBook, PlanVersion, versionForPeriod } from '../pricing/plan-book';

export interface CustomerPeriod {
  customer: CustomerRow;
  versions: PlanVersion[];
  /** The period containing now, cut with the interval of the customer's plan. */
  period: BillingPeriod;
}

export interface PeriodInvoice extends CustomerPeriod {
  version: PlanVersion;
  invoice: Invoice;
  /** The preview as an invoice view (status "preview"). */
  view: InvoiceView;
}

/**
 * The next invoice of a customer (the preview's; the ongoing balance's): its period on its plan as it is now, with
 * late usage of earlier periods unless a draft takes it.
 */
export function nextInvoiceSubject(
  organizationId: string,
  customer: { id: string; plan_code: string; discount: string },
  period: BillingPeriod,
  hasDraft: boolean,
): InvoiceSubject {
  return {
    organizationId,
    customerId: customer.id,
    customerPlanCode: customer.plan_code,
    planCode: customer.plan_code,
    periodStart: period.start,
    billingPeriodEnd: period.end,
    usageThrough: null,
    discount: customer.discount,
    takesLateUsage: !hasDraft,
  };
}

/**
 * A customer's current period and the invoice it would produce now, through the same computation as the stored
 * invoice (InvoiceCalculator: its usage not billed yet, late usage of earlier periods when no draft takes it,
 * discount, coupons): live usage, the preview and the entitlement agree with the invoice.
 */
@Injectable()
export class CurrentPeriod {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly invoices: InvoicesRepository,
    private readonly calculator: InvoiceCalculator,
    private readonly plans: PlanBook,
    private readonly clock: Clock,
  ) {}

  async of(organizationId: string, externalId: string, now = this.clock.now()): Promise<CustomerPeriod> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code])).get(customer.plan_code) ?? [];
    return { customer, versions, period: billingPeriod(now, customer.billing_anchor, periodInterval(versions)) };
  }

  /** The next invoice: of the current period, or, when that was closed early, of the period after it. */
  async invoice(organizationId: string, externalId: string): Promise<PeriodInvoice> {
    const now = this.clock.now();
    const current = await this.of(organizationId, externalId, now);
    const { customer } = current;
    let period = current.period;
    if ((await this.invoices.periodInvoice(this.invoices.reader, customer.id, period.start)) !== null) {
      period = billingPeriod(period.end, customer.billing_anchor, periodInterval(current.versions));
    }
    const version = versionForPeriod(current.versions, period.end.getTime());
    if (!version) throw new NotFoundError(`the plan "${customer.plan_code}" of customer "${externalId}" does not exist`);
    const drafts = await this.invoices.oldestDrafts(this.invoices.reader, [customer.id]);
    const [result] = await this.calculator.compute([nextInvoiceSubject(organizationId, customer, period, drafts.has(customer.id))], now);
    if (!result.ok) throw new Error(`the invoice of customer "${externalId}" cannot be computed: ${result.error}`);
    const view = computedView(
      {
        id: null,
        number: null,
        status: 'preview',
        type: 'usage',
        external_customer_id: externalId,
        plan_code: customer.plan_code,
        period_start: period.start,
        period_end: period.end,
        finalize_after: null,
        requires_approval: version.plan.requires_approval,
        finalized_at: null,
        voided_at: null,
        void_reason: null,
        stripe_invoice_id: null,
        stripe_status: null,
        created_at: null,
        compute_error: null,
      },
      result.invoice,
      version.version,
      new Decimal(customer.discount),
    );
    return { ...current, period, version, invoice: result.invoice, view };
  }
}
