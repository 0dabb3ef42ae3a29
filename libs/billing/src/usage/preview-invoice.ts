import { Injectable } from '@nestjs/common';
import { CurrentPeriod } from './customer-period';
import { invoiceToJson } from './invoice-json';

/** The invoice the customer's current period would produce now (docs/api.md, "Usage, preview, entitlement"). */
@Injectable()
export class PreviewInvoice {
  constructor(private readonly current: CurrentPeriod) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }) {
    const { customer, version, period, invoice } = await this.current.invoice(organizationId, externalId);
    return {
      id: null,
      number: null,
      status: 'preview',
      external_customer_id: externalId,
      plan_code: customer.plan_code,
      plan_version: version.version,
      period_start: period.start.toISOString(),
      period_end: period.end.toISOString(),
      ...invoiceToJson(invoice),
    };
  }
}
