import { Injectable } from '@nestjs/common';
import { OrganizationsRepository, type OrganizationRow } from '@tollgate/db';
import { NotFoundError } from '../errors';

/** GET /v1/organization: the key's own organisation. */
@Injectable()
export class GetOrganization {
  constructor(private readonly organizations: OrganizationsRepository) {}

  async execute({ organizationId }: { organizationId: string }): Promise<OrganizationRow> {
    const org = await this.organizations.find(organizationId);
    if (org === null) throw new NotFoundError('organisation not found');
    return org;
  }
}

/**
 * PATCH /v1/organization: its name, the prefix of its invoice numbers, or its target margin (the margin-cliff report's). A new prefix numbers the invoices
 * finalized from then on; the year's sequence goes on unbroken.
 */
@Injectable()
export class ChangeOrganization {
  constructor(private readonly organizations: OrganizationsRepository) {}

  execute({
    organizationId,
    changes,
  }: {
    organizationId: string;
    changes: { name?: string; invoice_prefix?: string; target_margin?: string };
  }): Promise<OrganizationRow> {
    return this.organizations.update(organizationId, changes);
  }
}
