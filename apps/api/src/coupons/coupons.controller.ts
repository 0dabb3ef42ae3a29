import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CreateCoupon, ListCoupons, RemoveCoupon } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { Coupon, CouponList, CouponListQuery, CouponPath, CouponsPath, CreateCouponRequest, writeCouponCursor } from './coupon.schema';

@ApiTags('coupons')
@ApiBearerAuth()
@Controller('v1/customers/:id/coupons')
@Scopes('admin')
export class CouponsController {
  constructor(
    private readonly createCoupon: CreateCoupon,
    private readonly listCoupons: ListCoupons,
    private readonly removeCoupon: RemoveCoupon,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Give a customer a coupon: a fixed amount or a percentage off, once or forever, until it expires' })
  @Responds(201, Coupon, 'The coupon')
  create(
    @Principal() key: KeyPrincipal,
    @ValidPath(CouponsPath) { id }: z.output<typeof CouponsPath>,
    @ValidBody(CreateCouponRequest) body: z.output<typeof CreateCouponRequest>,
  ) {
    return this.createCoupon.execute({
      organizationId: key.organizationId,
      externalId: id,
      kind: body.kind,
      value: (body.kind === 'fixed' ? body.amount : body.percent)!,
      frequency: body.frequency,
      expiresAt: body.expires_at ?? null,
    });
  }

  @Get()
  @ApiOperation({ summary: "The customer's coupons, oldest first (the order they apply in), used and removed ones too" })
  @Responds(200, CouponList, 'A page of coupons')
  async list(
    @Principal() key: KeyPrincipal,
    @ValidPath(CouponsPath) { id }: z.output<typeof CouponsPath>,
    @ValidQuery(CouponListQuery) q: z.output<typeof CouponListQuery>,
  ) {
    const page = await this.listCoupons.execute({
      organizationId: key.organizationId,
      externalId: id,
      after: q.cursor ?? null,
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.coupons, next_cursor: writeCouponCursor(page.nextAfter) };
  }

  @Delete(':coupon_id')
  @ApiOperation({ summary: 'Remove a coupon from the invoices finalized from now on' })
  @Responds(200, Coupon, 'The coupon, removed')
  remove(@Principal() key: KeyPrincipal, @ValidPath(CouponPath) { id, coupon_id }: z.output<typeof CouponPath>) {
    return this.removeCoupon.execute({ organizationId: key.organizationId, externalId: id, couponId: coupon_id });
  }
}
