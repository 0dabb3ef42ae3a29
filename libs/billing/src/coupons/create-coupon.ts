import { Injectable } from '@nestjs/common';
import { CouponsRepository, CustomersRepository } from '@tollgate/db';
import { currencyExponent, Decimal, writtenDecimalPlaces } from '@tollgate/money';
import { Clock } from '../clock';
import { InvalidCommandError, NotFoundError } from '../errors';
import { PlanBook } from '../pricing/plan-book';
import { couponJson, type CouponJson } from './coupon-view';

export interface CreateCouponCommand {
  organizationId: string;
  externalId: string;
  kind: 'fixed' | 'percentage';
  /** Decimal text: the amount off (fixed), or the percent off (percentage, "10" is 10%). */
  value: string;
  frequency: 'once' | 'forever';
  expiresAt: Date | null;
}

/**
 * POST /v1/customers/{id}/coupons (docs/design.md step 7): a fixed amount off, in the currency of the customer's
 * plan and no finer than its minor unit, or a percentage (above 0, at most 100) of the invoice so far; on the
 * next invoice finalized with it (`once`) or every invoice (`forever`), for periods starting before it expires.
 */
@Injectable()
export class CreateCoupon {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly coupons: CouponsRepository,
    private readonly plans: PlanBook,
    private readonly clock: Clock,
  ) {}

  async execute(c: CreateCouponCommand): Promise<CouponJson> {
    const customer = await this.customers.find(c.organizationId, c.externalId);
    if (customer === null) throw new NotFoundError(`customer "${c.externalId}" not found`);
    const now = this.clock.now();
    const value = new Decimal(c.value);
    const field = c.kind === 'fixed' ? 'amount' : 'percent';
    if (!value.gt(0)) throw new InvalidCommandError(`${field} must be above 0`, [{ field, message: 'must be above 0' }]);
    if (c.kind === 'percentage' && value.gt(100))
      throw new InvalidCommandError('percent must be at most 100', [{ field, message: 'must be at most 100' }]);
    if (c.kind === 'fixed') {
      const versions = (await this.plans.forCodes(c.organizationId, [customer.plan_code])).get(customer.plan_code) ?? [];
      const latest = versions[versions.length - 1];
      if (latest === undefined) throw new NotFoundError(`the plan "${customer.plan_code}" of customer "${c.externalId}" does not exist`);
      const currency = latest.plan.currency;
      if (writtenDecimalPlaces(c.value) > currencyExponent(currency)) {
        throw new InvalidCommandError(`amount is finer than the minor unit of ${currency}`, [
          { field, message: `at most ${currencyExponent(currency)} decimal places in ${currency}` },
        ]);
      }
    }
    if (c.expiresAt !== null && c.expiresAt.getTime() <= now.getTime()) {
      throw new InvalidCommandError('expires_at must be in the future', [{ field: 'expires_at', message: 'is not after now' }]);
    }
    const row = await this.coupons.create(c.organizationId, customer.id, {
      kind: c.kind,
      amount: c.kind === 'fixed' ? value.toFixed() : null,
      percent: c.kind === 'percentage' ? value.toFixed() : null,
      frequency: c.frequency,
      expires_at: c.expiresAt,
    });
    return couponJson(row, now);
  }
}
