import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../errors';
import { GetInvoice } from '../invoices/get-invoice';
import { isUuid } from '../webhooks/ids';
import type { PortalQuery } from './list-portal-invoices';
import { portalCustomer, PortalCustomers, portalInvoice, type PortalCustomer, type PortalInvoice } from './portal-views';

/**
 * One of the customer's invoices. Another customer's invoice, a draft and an id that names nothing are all
 * "not found" alike: a portal key learns nothing of what is not its own.
 */
@Injectable()
export class GetPortalInvoice {
  constructor(
    private readonly customers: PortalCustomers,
    private readonly invoices: GetInvoice,
  ) {}

  async execute({ organizationId, customerId, invoiceId }: PortalQuery & { invoiceId: string }): Promise<{
    customer: PortalCustomer;
    invoice: PortalInvoice;
  }> {
    const notFound = new NotFoundError(`invoice "${invoiceId}" not found`);
    if (!isUuid(invoiceId)) throw notFound;
    const customer = await this.customers.find(organizationId, customerId);
    const view = await this.invoices.execute({ organizationId, invoiceId }).catch((err: unknown) => {
      throw err instanceof NotFoundError ? notFound : err;
    });
    if (view.external_customer_id !== customer.external_id || view.status === 'draft') throw notFound;
    const [detail] = await this.customers.lineDetail(organizationId, [view]);
    return { customer: portalCustomer(customer), invoice: portalInvoice(view, detail) };
  }
}
