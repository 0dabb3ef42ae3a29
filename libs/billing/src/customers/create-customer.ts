import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository, OrganizationsRepository, PlansRepository } from '@tollgate/db';
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
  ) {}

  async execute({ organizationId, externalId, fields }: CreateCustomerCommand): Promise<CustomerRow> {
    const planCode = fields.plan_code ?? (await this.organizations.defaultPlanCode(organizationId));
    if (!(await this.plans.exists(organizationId, planCode))) throw unknownPlan(planCode);
    const created = await this.customers.create(organizationId, externalId, { ...fields, plan_code: planCode });
    if (created === null)
      throw new ConflictError('customer_exists', `customer "${externalId}" exists: PATCH /v1/customers/${externalId} changes it`);
    return created;
  }
}
