import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { coupons as CouponModel, PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import type { CouponRow } from './invoices.repository';
import { PRISMA } from './tokens';

// Coupons are admin data: Prisma. The billing cycle reads the active ones with its own SQL (InvoicesRepository).

export interface NewCoupon {
  kind: 'fixed' | 'percentage';
  /** Exact decimal text: `amount` for fixed, `percent` for percentage. */
  amount: string | null;
  percent: string | null;
  frequency: 'once' | 'forever';
  expires_at: Date | null;
}

function toRow(c: CouponModel): CouponRow {
  return {
    id: c.id,
    organization_id: c.organization_id,
    customer_id: c.customer_id,
    kind: c.kind as CouponRow['kind'],
    amount: c.amount === null ? null : c.amount.toFixed(),
    percent: c.percent === null ? null : c.percent.toFixed(),
    frequency: c.frequency as CouponRow['frequency'],
    expires_at: c.expires_at,
    created_at: c.created_at,
    removed_at: c.removed_at,
    used_by_invoice_id: c.used_by_invoice_id,
    used_at: c.used_at,
  };
}

@Injectable()
export class CouponsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async create(organizationId: string, customerId: string, coupon: NewCoupon, tx: Tx = this.prisma): Promise<CouponRow> {
    return toRow(
      await tx.coupons.create({ data: { id: randomUUID(), organization_id: organizationId, customer_id: customerId, ...coupon } }),
    );
  }

  /** A customer's coupons, oldest first (the order they apply in), after `afterId`'s position. */
  async list(customerId: string, after: { createdAt: Date; id: string } | null, limit: number): Promise<CouponRow[]> {
    const rows = await this.prisma.coupons.findMany({
      where: {
        customer_id: customerId,
        ...(after === null ? {} : { OR: [{ created_at: { gt: after.createdAt } }, { created_at: after.createdAt, id: { gt: after.id } }] }),
      },
      orderBy: [{ created_at: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(toRow);
  }

  async find(customerId: string, id: string, tx: Tx = this.prisma): Promise<CouponRow | null> {
    const c = await tx.coupons.findFirst({ where: { id, customer_id: customerId } });
    return c === null ? null : toRow(c);
  }

  /** Removes a coupon from later invoices (a finalized invoice keeps its coupon line). Idempotent. */
  async remove(id: string, tx: Tx = this.prisma): Promise<CouponRow> {
    await tx.coupons.updateMany({ where: { id, removed_at: null }, data: { removed_at: new Date() } });
    return toRow(await tx.coupons.findUniqueOrThrow({ where: { id } }));
  }
}
