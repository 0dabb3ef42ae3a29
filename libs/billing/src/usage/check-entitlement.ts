import { Injectable } from '@nestjs/common';
import { Decimal, formatAmount, ZERO } from '@tollgate/money';
import { CurrentPeriod } from './customer-period';
import { periodUsage } from './period-usage';

/**
 * Whether the customer may make another model call now. NOTE: prepaid credits are not modelled yet, so the
 * spending cap alone decides; period_usage is what the next invoice bills for usage: its usage and late-usage
 * lines net of the allowance (coupons and the base fee are not usage).
 */
@Injectable()
export class CheckEntitlement {
  constructor(private readonly current: CurrentPeriod) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }) {
    const { customer, invoice } = await this.current.invoice(organizationId, externalId);
    const usage = periodUsage(invoice);
    const cap = customer.spend_cap === null ? null : new Decimal(customer.spend_cap);
    const allowed = cap === null || usage.lt(cap);
    return {
      allowed,
      ...(allowed ? {} : { reason: 'spend_cap_reached' }),
      ongoing_balance: formatAmount(ZERO, invoice.currency),
      period_usage: formatAmount(usage, invoice.currency),
      ...(cap === null ? {} : { spend_cap: cap.toFixed() }),
    };
  }
}
