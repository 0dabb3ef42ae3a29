import { Injectable } from '@nestjs/common';
import { CustomersRepository, type CustomerRow } from '@tollgate/db';
import { formatAmount } from '@tollgate/money';
import { customerLines, PLAN_DEFAULTS, type LineDetail } from '@tollgate/pricing';
import { NotFoundError } from '../errors';
import type { InvoiceView } from '../invoices/invoice-view';
import { PlanBook, type PlanVersion } from '../pricing/plan-book';

/** Who a portal key shows: never more than this of the customer. */
export interface PortalCustomer {
  externalId: string;
  name: string | null;
  planCode: string;
  /** Decimal string; null: no cap. */
  spendCap: string | null;
}

/** An invoice line as the customer sees it: what they are billed, never what it cost the operator. */
export interface PortalLine {
  description: string;
  /** Rounded to the currency's minor unit, as a decimal string. */
  amount: string;
}

/** An invoice as the portal, its PDF show it (amounts as decimal strings, rounded as the invoice is). */
export interface PortalInvoice {
  id: string | null;
  number: string | null;
  status: InvoiceView['status'];
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  finalizedAt: Date | null;
  /** Lines before credits, per the plan's customer_line_detail. */
  lines: PortalLine[];
  subtotal: string;
  /** Prepaid credits taken off (0 when none). */
  creditsApplied: string;
  total: string;
}

/**
 * An invoice view as the customer sees it: lines per the plan's customer_line_detail (customerLines), the
 * credits line left to `creditsApplied`, and no provider cost, floor or computation error: those fields are
 * not copied, so nothing downstream can show them.
 */
export function portalInvoice(view: InvoiceView, detail: LineDetail): PortalInvoice {
  const lines = customerLines(
    view.lines.filter((l) => l.type !== 'credits'),
    detail,
  ).map((l) => ({ description: l.description, amount: formatAmount(l.amount, view.currency) }));
  return {
    id: view.id,
    number: view.number,
    status: view.status,
    periodStart: view.period_start,
    periodEnd: view.period_end,
    currency: view.currency,
    finalizedAt: view.finalized_at,
    lines,
    subtotal: formatAmount(view.subtotal, view.currency),
    creditsApplied: formatAmount(view.credits_applied, view.currency),
    total: formatAmount(view.total, view.currency),
  };
}

/** The customer of a portal key, and the line detail of its invoices' plan versions. */
@Injectable()
export class PortalCustomers {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly plans: PlanBook,
  ) {}

  /** The key's customer; gone (deleted organisation data) reads as not found. */
  async find(organizationId: string, customerId: string): Promise<CustomerRow> {
    const customer = await this.customers.findById(organizationId, customerId);
    if (customer === null) throw new NotFoundError('customer not found');
    return customer;
  }

  /** The line detail of each invoice's own plan version (a later version's setting does not rewrite an invoice). */
  async lineDetail(organizationId: string, invoices: readonly Pick<InvoiceView, 'plan_code' | 'plan_version'>[]): Promise<LineDetail[]> {
    const codes = [...new Set(invoices.map((i) => i.plan_code))];
    const versions: Map<string, PlanVersion[]> = codes.length === 0 ? new Map() : await this.plans.forCodes(organizationId, codes);
    return invoices.map(
      (i) =>
        versions.get(i.plan_code)?.find((v) => v.version === i.plan_version)?.plan.customer_line_detail ??
        PLAN_DEFAULTS.customer_line_detail,
    );
  }
}

export function portalCustomer(c: CustomerRow): PortalCustomer {
  return { externalId: c.external_id, name: c.name, planCode: c.plan_code, spendCap: c.spend_cap };
}
