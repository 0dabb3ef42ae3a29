import { Injectable } from '@nestjs/common';
import { CustomersRepository, Transactions, UsageAlertsRepository } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { NotFoundError } from '../errors';

export interface SetUsageAlertsCommand {
  organizationId: string;
  externalId: string;
  /** Positive decimal strings in the currency of the customer's plan, checked by the caller; [] removes them. */
  thresholds: string[];
}

export interface UsageAlerts {
  external_customer_id: string;
  /** Ascending, exact decimal text. */
  thresholds: string[];
}

/**
 * A customer's usage alert amounts become these (docs/api.md, "Usage alerts"). An amount the period's usage has
 * passed already is announced after the next priced batch; one announced in this period is not announced again.
 */
@Injectable()
export class SetUsageAlerts {
  constructor(
    private readonly transactions: Transactions,
    private readonly customers: CustomersRepository,
    private readonly alerts: UsageAlertsRepository,
  ) {}

  async execute({ organizationId, externalId, thresholds }: SetUsageAlertsCommand): Promise<UsageAlerts> {
    const amounts = [...new Map(thresholds.map((t) => [new Decimal(t).toFixed(), new Decimal(t)])).entries()]
      .sort((a, b) => a[1].comparedTo(b[1]))
      .map(([text]) => text);
    return this.transactions.run(async (tx) => {
      const customer = await this.customers.find(organizationId, externalId, tx);
      if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
      await this.alerts.replace(tx, organizationId, customer.id, amounts);
      return { external_customer_id: externalId, thresholds: await this.alerts.thresholds(customer.id, tx) };
    });
  }
}
