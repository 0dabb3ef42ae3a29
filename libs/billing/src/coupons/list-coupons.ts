import { Injectable } from '@nestjs/common';
import { CouponsRepository, CustomersRepository } from '@tollgate/db';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { couponJson, type CouponJson } from './coupon-view';

export interface ListCouponsQuery {
  organizationId: string;
  externalId: string;
  after: { createdAt: Date; id: string } | null;
  limit: number;
}

/** GET /v1/customers/{id}/coupons: every coupon of the customer (used, expired and removed ones too), oldest first. */
@Injectable()
export class ListCoupons {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly coupons: CouponsRepository,
    private readonly clock: Clock,
  ) {}

  async execute(q: ListCouponsQuery): Promise<{ coupons: CouponJson[]; nextAfter: { createdAt: Date; id: string } | null }> {
    const customer = await this.customers.find(q.organizationId, q.externalId);
    if (customer === null) throw new NotFoundError(`customer "${q.externalId}" not found`);
    const rows = await this.coupons.list(customer.id, q.after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const now = this.clock.now();
    return {
      coupons: page.map((c) => couponJson(c, now)),
      nextAfter: rows.length > q.limit ? { createdAt: last.created_at, id: last.id } : null,
    };
  }
}
