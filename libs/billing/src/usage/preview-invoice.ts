import { Injectable } from '@nestjs/common';
import type { InvoiceView } from '../invoices/invoice-view';
import { CurrentPeriod } from './customer-period';

/** The invoice the customer's current period would produce now (docs/api.md, "Usage, preview, entitlement"). */
@Injectable()
export class PreviewInvoice {
  constructor(private readonly current: CurrentPeriod) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }): Promise<InvoiceView> {
    return (await this.current.invoice(organizationId, externalId)).view;
  }
}
