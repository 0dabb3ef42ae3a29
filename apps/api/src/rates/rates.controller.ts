import { Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { Alias, AliasPath, AliasRequest, Override, OverrideRequest, RateCard, RatesQuery, RateSync, SyncPath } from './rate.schema';
import { RatesService } from './rates.service';

// List prices are shared by every organisation: only the instance operator fetches or approves them.
function operatorOnly(key: KeyPrincipal): void {
  if (!key.isOperator) throw new ApiError(403, 'forbidden', "list prices are shared by every organisation: only the instance operator's key may sync or approve them");
}

@ApiTags('rates')
@ApiBearerAuth()
@Controller('v1/rates')
@Scopes('admin')
export class RatesController {
  constructor(private readonly rates: RatesService) {}

  @Get()
  @ApiOperation({ summary: 'The rate card an event of this model is priced with: the version in force now and its history' })
  @Responds(200, RateCard, 'The card, newest version first', { 404: ['not_found'] })
  get(@Principal() key: KeyPrincipal, @ValidQuery(RatesQuery) q: z.output<typeof RatesQuery>) {
    return this.rates.get(key.organizationId, q.provider, q.model);
  }

  @Post('sync')
  @ApiOperation({ summary: "Fetch every configured source now (in this request); returns the sync's id and outcome" })
  @Responds(200, RateSync, 'The sync')
  sync(@Principal() key: KeyPrincipal) {
    operatorOnly(key);
    return this.rates.sync();
  }

  @Get('syncs/:id')
  @ApiOperation({ summary: 'A rate sync: what it found and where it stands' })
  @Responds(200, RateSync, 'The sync')
  getSync(@ValidPath(SyncPath) { id }: z.output<typeof SyncPath>) {
    return this.rates.getSync(id);
  }

  @Post('syncs/:id/approve')
  @ApiOperation({ summary: 'Apply a held sync: its prices are in force from now' })
  @Responds(200, RateSync, 'The sync, approved', { 409: ['sync_not_held'] })
  approve(@Principal() key: KeyPrincipal, @ValidPath(SyncPath) { id }: z.output<typeof SyncPath>) {
    operatorOnly(key);
    return this.rates.approve(id);
  }

  @Post('overrides')
  @ApiOperation({ summary: 'Negotiated prices: they win over list prices from effective_from (default now)' })
  @Responds(201, Override, 'The override', { 409: ['override_exists'] })
  addOverride(@Principal() key: KeyPrincipal, @ValidBody(OverrideRequest) body: z.output<typeof OverrideRequest>) {
    return this.rates.addOverride(key.organizationId, body);
  }

  @Put('aliases/:alias')
  @ApiOperation({ summary: 'Map another model name onto a rate card' })
  @Responds(200, Alias, 'The alias and the card it names')
  putAlias(@Principal() key: KeyPrincipal, @ValidPath(AliasPath) { alias }: z.output<typeof AliasPath>, @ValidBody(AliasRequest) body: z.output<typeof AliasRequest>) {
    return this.rates.putAlias(key.organizationId, alias, body);
  }
}
