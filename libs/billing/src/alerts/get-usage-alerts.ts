import { Injectable } from '@nestjs/common';
import { CustomersRepository, UsageAlertsRepository } from '@tollgate/db';
import { NotFoundError } from '../errors';
import type { UsageAlerts } from './set-usage-alerts';

@Injectable()
export class GetUsageAlerts {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly alerts: UsageAlertsRepository,
  ) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }): Promise<UsageAlerts> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    return { external_customer_id: externalId, thresholds: await this.alerts.thresholds(customer.id) };
  }
}
