import { Injectable } from '@nestjs/common';
import { CouponsRepository, InvoicesRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { isUuid } from '../webhooks/ids';
import { couponJson, type CouponJson } from './coupon-view';

/**
 * DELETE /v1/customers/{id}/coupons/{coupon_id}: the coupon applies to no invoice finalized from now on (drafts
 * drop it when next computed; a finalized invoice keeps its coupon line). Removing it twice changes nothing.
 */
@Injectable()
export class RemoveCoupon {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly coupons: CouponsRepository,
    private readonly clock: Clock,
  ) {}

  async execute({
    organizationId,
    externalId,
    couponId,
  }: {
    organizationId: string;
    externalId: string;
    couponId: string;
  }): Promise<CouponJson> {
    const row = await this.transactions.run(async (tx) => {
      // The customer's lock: a finalization reading this coupon commits before, or sees it removed.
      const customer = await this.invoices.lockCustomer(tx, organizationId, externalId);
      if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
      const coupon = isUuid(couponId) ? await this.coupons.find(customer.id, couponId, tx) : null;
      if (coupon === null) throw new NotFoundError(`coupon "${couponId}" not found`);
      return this.coupons.remove(coupon.id, tx);
    });
    return couponJson(row, this.clock.now());
  }
}
