import { Injectable } from '@nestjs/common';
import { CustomerRow, CustomersRepository } from '@tollgate/db';

export interface ListCustomersQuery {
  organizationId: string;
  afterExternalId: string | null;
  limit: number;
}

/** Customers in external-id order; `nextAfter` is the last one's external id when another page follows. */
@Injectable()
export class ListCustomers {
  constructor(private readonly customers: CustomersRepository) {}

  async execute({
    organizationId,
    afterExternalId,
    limit,
  }: ListCustomersQuery): Promise<{ customers: CustomerRow[]; nextAfter: string | null }> {
    const rows = await this.customers.list(organizationId, afterExternalId, limit + 1);
    const page = rows.slice(0, limit);
    return { customers: page, nextAfter: rows.length > limit ? page[page.length - 1].external_id : null };
  }
}
