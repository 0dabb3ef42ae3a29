import { Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { AddRateOverride, ApproveRateSync, GetRateSync, SetRateAlias, ShowRateCard } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { SyncRates } from '@tollgate/rates';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import { readAliasTarget, readOverride } from './rate-input';
import { Alias, AliasPath, AliasRequest, Override, OverrideRequest, RateCard, RatesQuery, RateSync, SyncPath } from './rate.schema';
import { toApiSync, toApiVersion } from './rates-json';

// List prices are shared by every organisation: only the instance operator fetches or approves them.
function operatorOnly(key: KeyPrincipal): void {
  if (!key.isOperator)
    throw new ApiError(
      403,
      'forbidden',
      "list prices are shared by every organisation: only the instance operator's key may sync or approve them",
    );
}

@ApiTags('rates')
@ApiBearerAuth()
@Controller('v1/rates')
@Scopes('admin')
export class RatesController {
  constructor(
    private readonly showRateCard: ShowRateCard,
    private readonly syncRates: SyncRates,
    private readonly approveRateSync: ApproveRateSync,
    private readonly getRateSync: GetRateSync,
    private readonly addRateOverride: AddRateOverride,
    private readonly setRateAlias: SetRateAlias,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The rate card an event of this model is priced with: the version in force now and its history' })
  @Responds(200, RateCard, 'The card, newest version first', { 404: ['not_found'] })
  get(@Principal() key: KeyPrincipal, @ValidQuery(RatesQuery) q: z.output<typeof RatesQuery>) {
    const card = this.showRateCard.execute({
      organizationId: key.organizationId,
      model: q.model,
      ...(q.provider ? { provider: q.provider } : {}),
    });
    return {
      provider: card.provider,
      model: card.model,
      current_version_id: card.current?.id ?? null,
      versions: card.versions.map(toApiVersion),
    };
  }

  @Post('sync')
  @ApiOperation({ summary: "Fetch every configured source now (in this request); returns the sync's id and outcome" })
  @Responds(200, RateSync, 'The sync')
  async sync(@Principal() key: KeyPrincipal) {
    operatorOnly(key);
    return toApiSync(await this.syncRates.run());
  }

  @Get('syncs/:id')
  @ApiOperation({ summary: 'A rate sync: what it found and where it stands' })
  @Responds(200, RateSync, 'The sync')
  async getSync(@ValidPath(SyncPath) { id }: z.output<typeof SyncPath>) {
    return toApiSync(await this.getRateSync.execute({ id }));
  }

  @Post('syncs/:id/approve')
  @ApiOperation({ summary: 'Apply a held sync: its prices are in force from now' })
  @Responds(200, RateSync, 'The sync, approved', { 409: ['sync_not_held'] })
  async approve(@Principal() key: KeyPrincipal, @ValidPath(SyncPath) { id }: z.output<typeof SyncPath>) {
    operatorOnly(key);
    return toApiSync(await this.approveRateSync.execute({ id }));
  }

  @Post('overrides')
  @ApiOperation({ summary: 'Negotiated prices: they win over list prices from effective_from (default now)' })
  @Responds(201, Override, 'The override', { 409: ['override_exists'] })
  async addOverride(@Principal() key: KeyPrincipal, @ValidBody(OverrideRequest) body: z.output<typeof OverrideRequest>) {
    const { provider, model, version } = await this.addRateOverride.execute({ organizationId: key.organizationId, ...readOverride(body) });
    return { provider, model, ...toApiVersion(version) };
  }

  @Put('aliases/:alias')
  @ApiOperation({ summary: 'Map another model name onto a rate card' })
  @Responds(200, Alias, 'The alias and the card it names')
  async putAlias(
    @Principal() key: KeyPrincipal,
    @ValidPath(AliasPath) { alias }: z.output<typeof AliasPath>,
    @ValidBody(AliasRequest) body: z.output<typeof AliasRequest>,
  ) {
    const row = await this.setRateAlias.execute({ organizationId: key.organizationId, ...readAliasTarget(alias, body) });
    return { alias: row.alias, provider: row.provider, model: row.model };
  }
}
