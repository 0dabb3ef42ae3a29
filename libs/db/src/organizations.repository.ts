import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from './generated/prisma/client';
import { ApiKeysRepository } from './api-keys.repository';
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
}

/** What is stored of an organisation's first admin key: its keyed hash and public id, never the key. */
export interface FirstAdminKey {
  keyHash: string;
  publicId: string;
  name: string;
}

export interface OrganizationRow {
  id: string;
  name: string;
  /** Finalized invoices are numbered <invoice_prefix>-<year>-<sequence>. */
  invoice_prefix: string;
  /** The margin its customers should keep, a fraction of revenue (decimal text): the margin-cliff report's target. */
  target_margin: string;
  created_at: Date;
}

const ORGANIZATION_FIELDS = { id: true, name: true, invoice_prefix: true, target_margin: true, created_at: true } as const;

@Injectable()
export class OrganizationsRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    private readonly keys: ApiKeysRepository,
  ) {}

  /**
   * Removes an organisation and everything of it, in one transaction (`npm run demo:remove`). Never the default
   * organisation (the operator's). Returns whether there was one to remove. Raw SQL: one DELETE per table in
   * the order the foreign keys need, which Prisma's nested deletes cannot say for tables without relations.
   */
  async removeWithData(id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const found = await tx.$queryRawUnsafe<{ is_default: boolean }[]>(
        'SELECT is_default FROM organizations WHERE id = $1::uuid FOR UPDATE',
        id,
      );
      if (found.length === 0) return false;
      if (found[0].is_default) throw new Error("the default organisation (the operator's) is never removed");
      const statements = [
        'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE organization_id = $1::uuid)',
        'DELETE FROM webhook_deliveries WHERE organization_id = $1::uuid',
        'DELETE FROM webhook_events WHERE organization_id = $1::uuid',
        'DELETE FROM webhook_endpoints WHERE organization_id = $1::uuid',
        'DELETE FROM stripe_pushes WHERE organization_id = $1::uuid',
        'DELETE FROM simulations WHERE organization_id = $1::uuid',
        'DELETE FROM price_changes WHERE organization_id = $1::uuid',
        'DELETE FROM rollup_pending WHERE organization_id = $1::uuid',
        'DELETE FROM analytics_tasks WHERE organization_id = $1::uuid',
        'DELETE FROM analytics_periods WHERE organization_id = $1::uuid',
        'DELETE FROM analytics_daily WHERE organization_id = $1::uuid',
        'DELETE FROM credit_ledger WHERE organization_id = $1::uuid',
        'DELETE FROM credit_grants WHERE organization_id = $1::uuid',
        'DELETE FROM credit_wallets WHERE organization_id = $1::uuid',
        'DELETE FROM customer_entitlements WHERE organization_id = $1::uuid',
        'DELETE FROM coupons WHERE organization_id = $1::uuid',
        'DELETE FROM invoices WHERE organization_id = $1::uuid',
        'DELETE FROM invoice_sequences WHERE organization_id = $1::uuid',
        'DELETE FROM usage_alerts WHERE organization_id = $1::uuid',
        'DELETE FROM usage_aggregates WHERE organization_id = $1::uuid',
        'DELETE FROM events WHERE organization_id = $1::uuid',
        'DELETE FROM ingest_batches WHERE organization_id = $1::uuid',
        'DELETE FROM customers WHERE organization_id = $1::uuid',
        'DELETE FROM plans WHERE organization_id = $1::uuid',
        'DELETE FROM rate_aliases WHERE organization_id = $1::uuid',
        'DELETE FROM api_keys WHERE organization_id = $1::uuid',
        // Last: deleting invoices, their lines and the rollups above makes the triggers mark revenue shares stale.
        'DELETE FROM revenue_shares_stale WHERE organization_id = $1::uuid',
        'DELETE FROM revenue_shares WHERE organization_id = $1::uuid',
        'DELETE FROM organizations WHERE id = $1::uuid',
      ];
      for (const sql of statements) await tx.$executeRawUnsafe(sql, id);
      return true;
    });
  }

  /** An organisation with its default plan and its first admin key, in one transaction. */
  create(name: string, adminKey: FirstAdminKey, invoicePrefix?: string): Promise<NewOrganization> {
    return this.prisma.$transaction((tx) => this.insert(tx, name, adminKey, { isDefault: false, isOperator: false, invoicePrefix }));
  }

  async find(id: string): Promise<OrganizationRow | null> {
    const row = await this.prisma.organizations.findUnique({ where: { id }, select: ORGANIZATION_FIELDS });
    return row && { ...row, target_margin: row.target_margin.toFixed() };
  }

  async update(id: string, fields: { name?: string; invoice_prefix?: string; target_margin?: string }): Promise<OrganizationRow> {
    const row = await this.prisma.organizations.update({ where: { id }, data: fields, select: ORGANIZATION_FIELDS });
    return { ...row, target_margin: row.target_margin.toFixed() };
  }

  /**
   * The instance's first organisation, whose admin key is the operator's; null when the database has an
   * organisation already.
   */
  createFirst(name: string, adminKey: FirstAdminKey): Promise<NewOrganization | null> {
    return this.prisma.$transaction(async (tx) => {
      // SQL for the lock alone: Prisma has no advisory locks.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${FIRST_ORGANIZATION_LOCK}::int8)::text`;
      if ((await tx.organizations.count()) > 0) return null;
      return this.insert(tx, name, adminKey, { isDefault: true, isOperator: true });
    });
  }

  async defaultPlanCode(organizationId: string, tx: Tx = this.prisma): Promise<string> {
    return (await tx.organizations.findUniqueOrThrow({ where: { id: organizationId }, select: { default_plan_code: true } }))
      .default_plan_code;
  }

  private async insert(
    tx: Tx,
    name: string,
    adminKey: FirstAdminKey,
    options: { isDefault: boolean; isOperator: boolean; invoicePrefix?: string },
  ): Promise<NewOrganization> {
    const id = randomUUID();
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
    await this.keys.create({ organizationId: id, scope: 'admin', isOperator: options.isOperator, ...adminKey }, tx);
    return { id, name, invoicePrefix: org.invoice_prefix };
  }
}
