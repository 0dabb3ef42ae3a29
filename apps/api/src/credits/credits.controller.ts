import { Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CreateCreditGrant, GetCreditBalance, SetTopUpRule } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { CustomerPath } from '../customers/customer.schema';
import { CreateCreditGrantRequest, CreditBalance, CreditBalanceQuery, CreditGrant, TopUpRequest, TopUpResponse } from './credit.schema';

type Path = z.output<typeof CustomerPath>;

@ApiTags('credits')
@ApiBearerAuth()
@Controller('v1/customers/:id/credits')
@Scopes('admin')
export class CreditsController {
  constructor(
    private readonly createGrant: CreateCreditGrant,
    private readonly getBalance: GetCreditBalance,
    private readonly setTopUp: SetTopUpRule,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Grant credit, or sell it on its own invoice (usable once that is paid, or at once with "paid": true)' })
  @Responds(201, CreditGrant, 'The grant')
  create(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: Path,
    @ValidBody(CreateCreditGrantRequest) body: z.output<typeof CreateCreditGrantRequest>,
  ) {
    return this.createGrant.execute({
      organizationId: key.organizationId,
      externalId: id,
      kind: body.kind,
      amount: body.amount,
      ...(body.priority === undefined ? {} : { priority: body.priority }),
      ...(body.expires_at === undefined ? {} : { expiresAt: body.expires_at }),
      ...(body.paid === undefined ? {} : { paid: body.paid }),
    });
  }

  @Get()
  @ApiOperation({ summary: 'The balance, the ongoing balance, the grants, the top-up rule and a page of the ledger' })
  @Responds(200, CreditBalance, "The customer's credits")
  async get(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: Path,
    @ValidQuery(CreditBalanceQuery) q: z.output<typeof CreditBalanceQuery>,
  ) {
    const { nextAfter, ...balance } = await this.getBalance.execute({
      organizationId: key.organizationId,
      externalId: id,
      after: q.cursor === undefined ? null : BigInt(q.cursor),
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { ...balance, next_cursor: nextAfter === null ? null : encodeCursor(nextAfter) };
  }

  @Put('top_up')
  @ApiOperation({ summary: 'When the ongoing balance falls under `below`, grant or sell `amount` (once per crossing)' })
  @Responds(200, TopUpResponse, 'The rule as set')
  putTopUp(
    @Principal() key: KeyPrincipal,
    @ValidPath(CustomerPath) { id }: Path,
    @ValidBody(TopUpRequest) body: z.output<typeof TopUpRequest>,
  ) {
    return this.setTopUp.execute({
      organizationId: key.organizationId,
      externalId: id,
      rule: {
        below: body.below,
        amount: body.amount,
        kind: body.kind,
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...(body.expires_in_days === undefined ? {} : { expiresInDays: body.expires_in_days }),
      },
    });
  }

  @Delete('top_up')
  @ApiOperation({ summary: 'Remove the top-up rule' })
  @Responds(200, TopUpResponse, 'No rule')
  deleteTopUp(@Principal() key: KeyPrincipal, @ValidPath(CustomerPath) { id }: Path) {
    return this.setTopUp.execute({ organizationId: key.organizationId, externalId: id, rule: null });
  }
}
