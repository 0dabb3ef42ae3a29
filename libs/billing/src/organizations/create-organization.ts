import { Injectable } from '@nestjs/common';
import { NewOrganization, OrganizationsRepository } from '@tollgate/db';
import { ApiKeyHasher } from '../api-keys/api-key-hasher';

export interface CreatedOrganization extends NewOrganization {
  /** Its first admin key, shown once. */
  adminKey: string;
}

/** A new organisation with its default plan (pass-through at cost) and its first admin key, shown once. */
@Injectable()
export class CreateOrganization {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute({ name, invoicePrefix }: { name: string; invoicePrefix?: string }): Promise<CreatedOrganization> {
    const { key, publicId, keyHash } = this.hasher.issue('admin');
    const org = await this.organizations.create(name, { keyHash, publicId, name: 'first admin key' }, invoicePrefix);
    return { ...org, adminKey: key };
  }
}

/**
 * On an empty database: the default organisation, whose first admin key (TOLLGATE_ADMIN_KEY) is the instance
 * operator's. Api instances starting together create it once; null when it exists. NOTE: only ever on an empty
 * database, so a TOLLGATE_ADMIN_KEY that was rotated or revoked since is never brought back (docs/design.md,
 * "API keys").
 */
@Injectable()
export class CreateFirstOrganization {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly hasher: ApiKeyHasher,
  ) {}

  async execute({ adminKey }: { adminKey: string }): Promise<CreatedOrganization | null> {
    const { publicId, keyHash } = this.hasher.adopt(adminKey);
    const org = await this.organizations.createFirst('default', { keyHash, publicId, name: 'TOLLGATE_ADMIN_KEY' });
    return org && { ...org, adminKey };
  }
}
