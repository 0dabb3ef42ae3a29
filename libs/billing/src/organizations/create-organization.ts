import { Injectable } from '@nestjs/common';
import { NewOrganization, OrganizationsRepository } from '@tollgate/db';

/** A new organisation with its default plan (pass-through at cost) and its first admin key, shown once. */
@Injectable()
export class CreateOrganization {
  constructor(private readonly organizations: OrganizationsRepository) {}

  execute({ name, invoicePrefix }: { name: string; invoicePrefix?: string }): Promise<NewOrganization> {
    return this.organizations.create(name, invoicePrefix);
  }
}

/**
 * On an empty database: the default organisation, whose first admin key (TOLLGATE_ADMIN_KEY) is the instance
 * operator's. Api instances starting together create it once; null when it exists.
 */
@Injectable()
export class CreateFirstOrganization {
  constructor(private readonly organizations: OrganizationsRepository) {}

  execute({ adminKey }: { adminKey: string }): Promise<NewOrganization | null> {
    return this.organizations.createFirst('default', adminKey);
  }
}
