import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository } from '@tollgate/db';
import { NotFoundError } from '../errors';

export interface GetCustomerQuery {
  organizationId: string;
  externalId: string;
}

@Injectable()
export class GetCustomer {
  constructor(private readonly customers: CustomersRepository) {}

  async execute({ organizationId, externalId }: GetCustomerQuery): Promise<CustomerRow> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    return customer;
  }
}
