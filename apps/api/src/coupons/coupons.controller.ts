import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CreateCoupon, ListCoupons, RemoveCoupon } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { parseLimit } from '../common/pagination';
import { readCouponInput } from './coupon-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const writeCursor = (after: { createdAt: Date; id: string } | null) => (after === null ? null : Buffer.from(`${after.createdAt.getTime()}.${after.id}`).toString('base64url'));

function readCursor(cursor: string | undefined): { createdAt: Date; id: string } | null {
  if (!cursor) return null;
  const [ms, id] = Buffer.from(cursor, 'base64url').toString().split('.');
  if (!/^\d{1,15}$/.test(ms ?? '') || !UUID.test(id ?? '')) throw ApiError.invalidRequest('cursor is not one this API returned');
  return { createdAt: new Date(Number(ms)), id };
}

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
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind', 'frequency'],
      properties: {
        kind: { type: 'string', enum: ['fixed', 'percentage'] }, amount: { type: 'string', example: '10.00' }, percent: { type: 'string', example: '15' },
        frequency: { type: 'string', enum: ['once', 'forever'] }, expires_at: { type: 'string', format: 'date-time' },
      },
    },
  })
  create(@Principal() key: KeyPrincipal, @Param('id') id: string, @Body() body: unknown) {
    return this.createCoupon.execute({ organizationId: key.organizationId, externalId: id, ...readCouponInput(body) });
  }

  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Param('id') id: string, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.listCoupons.execute({ organizationId: key.organizationId, externalId: id, after: readCursor(cursor), limit: parseLimit(limit) });
    return { data: page.coupons, next_cursor: writeCursor(page.nextAfter) };
  }

  @Delete(':couponId')
  @ApiOperation({ summary: 'Remove a coupon from the invoices finalized from now on' })
  remove(@Principal() key: KeyPrincipal, @Param('id') id: string, @Param('couponId') couponId: string) {
    return this.removeCoupon.execute({ organizationId: key.organizationId, externalId: id, couponId });
  }
}
