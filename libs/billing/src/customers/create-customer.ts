import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository, OrganizationsRepository, PlansRepository } from '@tollgate/db';
import { billingPeriod, type BillingInterval } from '@tollgate/pricing';
import { Clock } from '../clock';
import { ConflictError, InvalidCommandError } from '../errors';
import type { CustomerChanges } from './customer-commands';

export interface CreateCustomerCommand {
  organizationId: string;
  externalId: string;
  /** Without plan_code: the organisation's default plan. */
  fields: CustomerChanges;
}

export function unknownPlan(code: string): InvalidCommandError {
  return new InvalidCommandError(`plan_code "${code}" is not a plan of this organisation`, [
    { field: 'plan_code', message: 'unknown plan' },
  ]);
}

@Injectable()
export class CreateCustomer {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly plans: PlansRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, externalId, fields }: CreateCustomerCommand): Promise<CustomerRow> {
    const planCode = fields.plan_code ?? (await this.organizations.defaultPlanCode(organizationId));
    if (!(await this.plans.exists(organizationId, planCode))) throw unknownPlan(planCode);
    // Its first close: the end of its current period (a customer created by ingest is scheduled by the billing cycle).
    const versions = await this.plans.versions(organizationId, [planCode]);
    const interval = (versions[versions.length - 1]?.definition as { interval?: BillingInterval } | undefined)?.interval ?? 'month';
    const firstClose = billingPeriod(this.clock.now(), fields.billing_anchor ?? null, interval).end;
    const created = await this.customers.create(organizationId, externalId, { ...fields, plan_code: planCode }, firstClose);
    if (created === null)
      throw new ConflictError('customer_exists', `customer "${externalId}" exists: PATCH /v1/customers/${externalId} changes it`);
    return created;
  }
}
