import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { customers as CustomerModel, PrismaClient } from './generated/prisma/client';
import { isUniqueViolation, type Tx } from './database';
import { PRISMA } from './tokens';

// Customers are admin data: Prisma. The ingest path creates unknown customers in its own set-based
// statement (EventsRepository).

export interface CustomerRow {
  id: string;
  organization_id: string;
  external_id: string;
  name: string | null;
  email: string | null;
  plan_code: string;
  /** Exact decimal text. */
  discount: string;
  billing_anchor: Date | null;
  spend_cap: string | null;
  stripe_customer_id: string | null;
  collection_method: CollectionMethod;
  /** send_invoice only: the invoice is due this many days after Stripe creates it. */
  days_until_due: number | null;
  created_at: Date;
}

/** How Stripe collects the customer's invoices (docs/api.md, "Customers and plans"). */
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

/** What a customer may be given or changed (absent: unchanged; null: cleared). */
export interface CustomerFields {
  name?: string | null;
  email?: string | null;
  plan_code?: string;
  discount?: string;
  billing_anchor?: Date | null;
  spend_cap?: string | null;
  stripe_customer_id?: string | null;
  collection_method?: CollectionMethod;
  days_until_due?: number | null;
}

function toRow(c: CustomerModel): CustomerRow {
  return {
    id: c.id,
    organization_id: c.organization_id,
    external_id: c.external_id,
    name: c.name,
    email: c.email,
    plan_code: c.plan_code,
    discount: c.discount.toFixed(),
    billing_anchor: c.billing_anchor,
    spend_cap: c.spend_cap === null ? null : c.spend_cap.toFixed(),
    stripe_customer_id: c.stripe_customer_id,
    collection_method: c.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    days_until_due: c.days_until_due,
    created_at: c.created_at,
  };
}

@Injectable()
export class CustomersRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** The new customer, or null when the organisation has one with this external id. `nextCloseAt`: its first period's end. */
  async create(
    organizationId: string,
    externalId: string,
    fields: CustomerFields & { plan_code: string },
    nextCloseAt: Date | null = null,
    tx: Tx = this.prisma,
  ): Promise<CustomerRow | null> {
    try {
      return toRow(
        await tx.customers.create({
          data: { id: randomUUID(), organization_id: organizationId, external_id: externalId, ...fields, next_close_at: nextCloseAt },
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /** By our id (a portal key names its customer by it). */
  async findById(organizationId: string, id: string, tx: Tx = this.prisma): Promise<CustomerRow | null> {
    const c = await tx.customers.findFirst({ where: { id, organization_id: organizationId } });
    return c === null ? null : toRow(c);
  }

  async find(organizationId: string, externalId: string, tx: Tx = this.prisma): Promise<CustomerRow | null> {
    const c = await tx.customers.findUnique({
      where: { organization_id_external_id: { organization_id: organizationId, external_id: externalId } },
    });
    return c === null ? null : toRow(c);
  }

  /**
   * The row locked for the rest of the transaction: two changes of one customer apply one after the other.
   * SQL for the lock alone: Prisma has no SELECT ... FOR UPDATE.
   */
  async findForUpdate(organizationId: string, externalId: string, tx: Tx): Promise<CustomerRow | null> {
    const locked = await tx.$queryRaw<
      { id: string }[]
    >`SELECT id::text FROM customers WHERE organization_id = ${organizationId}::uuid AND external_id = ${externalId} FOR UPDATE`;
    if (locked.length === 0) return null;
    return toRow(await tx.customers.findUniqueOrThrow({ where: { id: locked[0].id } }));
  }

  /** A page in external-id order, after `afterExternalId`. */
  async list(organizationId: string, afterExternalId: string | null, limit: number): Promise<CustomerRow[]> {
    const rows = await this.prisma.customers.findMany({
      where: { organization_id: organizationId, ...(afterExternalId === null ? {} : { external_id: { gt: afterExternalId } }) },
      orderBy: { external_id: 'asc' },
      take: limit,
    });
    return rows.map(toRow);
  }

  async update(id: string, fields: CustomerFields, tx: Tx = this.prisma): Promise<CustomerRow> {
    return toRow(await tx.customers.update({ where: { id }, data: { ...fields, updated_at: new Date() } }));
  }

  /** Customers on a plan code, for repricing after the plan changed. */
  async onPlan(organizationId: string, planCode: string, tx: Tx = this.prisma): Promise<Pick<CustomerRow, 'id' | 'billing_anchor'>[]> {
    return tx.customers.findMany({
      where: { organization_id: organizationId, plan_code: planCode },
      select: { id: true, billing_anchor: true },
    });
  }
}
