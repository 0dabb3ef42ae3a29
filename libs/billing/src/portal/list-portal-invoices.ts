import { Injectable } from '@nestjs/common';
import { ListInvoices } from '../invoices/list-invoices';
import { portalCustomer, PortalCustomers, portalInvoice, type PortalCustomer, type PortalInvoice } from './portal-views';

/** How many invoices the portal lists (newest first); older ones are named as left out. */
export const PORTAL_INVOICES = 100;

export interface PortalQuery {
  organizationId: string;
  /** The portal key's customer (our id). */
  customerId: string;
}

/**
 * The customer's invoices, newest period first: finalized, paid, unpaid and void ones, never drafts (a draft
 * may still change; the current period page shows what is accruing).
 */
@Injectable()
export class ListPortalInvoices {
  constructor(
    private readonly customers: PortalCustomers,
    private readonly invoices: ListInvoices,
  ) {}

  async execute({
    organizationId,
    customerId,
  }: PortalQuery): Promise<{ customer: PortalCustomer; invoices: PortalInvoice[]; more: boolean }> {
    const customer = await this.customers.find(organizationId, customerId);
    const shown = [];
    let after: { periodStart: Date; id: string } | null = null;
    do {
      const page = await this.invoices.execute({
        organizationId,
        externalCustomerId: customer.external_id,
        after,
        limit: PORTAL_INVOICES + 1,
      });
      shown.push(...page.invoices.filter((v) => v.status !== 'draft'));
      after = page.nextAfter;
    } while (after !== null && shown.length <= PORTAL_INVOICES);
    const page = shown.slice(0, PORTAL_INVOICES);
    const details = await this.customers.lineDetail(organizationId, page);
    return {
      customer: portalCustomer(customer),
      invoices: page.map((v, i) => portalInvoice(v, details[i])),
      more: shown.length > PORTAL_INVOICES,
    };
  }
}
