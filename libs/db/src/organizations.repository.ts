import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from './generated/prisma/client';
import { generateKey, hashKey } from './api-keys.repository';
import type { Tx } from './database';
import { DEFAULT_PLAN_DEFINITION } from './plans.repository';
import { PRISMA } from './tokens';

// Organisations are admin data: Prisma.

// First start: api instances starting together create the default organisation once.
const FIRST_ORGANIZATION_LOCK = 7316001;

export interface NewOrganization {
  id: string;
  name: string;
  invoicePrefix: string;
  /** Its first admin key, shown once. */
  adminKey: string;
}

export interface OrganizationRow {
  id: string;
  name: string;
  /** Finalized invoices are numbered <invoice_prefix>-<year>-<sequence>. */
  invoice_prefix: string;
  created_at: Date;
}

@Injectable()
export class OrganizationsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** An organisation with its default plan and its first admin key, in one transaction. */
  create(name: string, invoicePrefix?: string): Promise<NewOrganization> {
    return this.prisma.$transaction((tx) => this.insert(tx, name, { isDefault: false, isOperator: false, invoicePrefix }));
  }

  async find(id: string): Promise<OrganizationRow | null> {
    return this.prisma.organizations.findUnique({
      where: { id },
      select: { id: true, name: true, invoice_prefix: true, created_at: true },
    });
  }

  async update(id: string, fields: { name?: string; invoice_prefix?: string }): Promise<OrganizationRow> {
    return this.prisma.organizations.update({
      where: { id },
      data: fields,
      select: { id: true, name: true, invoice_prefix: true, created_at: true },
    });
  }

  /**
   * The instance's first organisation, whose admin key (`adminKey`) is the operator's; null when the
   * database has an organisation already.
   */
  createFirst(name: string, adminKey: string): Promise<NewOrganization | null> {
    return this.prisma.$transaction(async (tx) => {
      // SQL for the lock alone: Prisma has no advisory locks.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${FIRST_ORGANIZATION_LOCK}::int8)::text`;
      if ((await tx.organizations.count()) > 0) return null;
      return this.insert(tx, name, { isDefault: true, isOperator: true, adminKey });
    });
  }

  async defaultPlanCode(organizationId: string, tx: Tx = this.prisma): Promise<string> {
    return (await tx.organizations.findUniqueOrThrow({ where: { id: organizationId }, select: { default_plan_code: true } }))
      .default_plan_code;
  }

  private async insert(
    tx: Tx,
    name: string,
    options: { isDefault: boolean; isOperator: boolean; adminKey?: string; invoicePrefix?: string },
  ): Promise<NewOrganization> {
    const id = randomUUID();
    const key = options.adminKey ?? generateKey('admin');
    const org = await tx.organizations.create({
      data: { id, name, is_default: options.isDefault, ...(options.invoicePrefix ? { invoice_prefix: options.invoicePrefix } : {}) },
    });
    await tx.plans.create({
      data: {
        id: randomUUID(),
        organization_id: id,
        code: 'default',
        version: 1,
        definition: DEFAULT_PLAN_DEFINITION,
        effective_from: new Date(0),
      },
    });
    await tx.api_keys.create({
      data: {
        id: randomUUID(),
        organization_id: id,
        name: options.adminKey ? 'TOLLGATE_ADMIN_KEY' : 'first admin key',
        scope: 'admin',
        key_hash: hashKey(key),
        key_prefix: key.slice(0, 12),
        is_operator: options.isOperator,
      },
    });
    return { id, name, invoicePrefix: org.invoice_prefix, adminKey: key };
  }
}
