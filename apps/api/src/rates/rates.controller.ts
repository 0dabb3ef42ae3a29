import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AddRateOverride, ApproveRateSync, GetRateSync, SetRateAlias, ShowRateCard } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { SyncRates } from '@tollgate/rates';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { readAliasTarget, readOverride } from './rate-input';
import { toApiSync, toApiVersion } from './rates-json';

const PRICES_SCHEMA = {
  type: 'object',
  description: 'USD per million tokens (per unit for requests, images, web_searches), decimal strings keyed by usage dimension',
  additionalProperties: { type: 'string' },
  example: { input_tokens: '3', output_tokens: '15', cache_read_tokens: '0.3' },
};

// List prices are shared by every organisation: only the instance operator fetches or approves them.
function operatorOnly(key: KeyPrincipal): void {
  if (!key.isOperator) throw new ApiError(403, 'forbidden', "list prices are shared by every organisation: only the instance operator's key may sync or approve them");
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
  @ApiQuery({ name: 'model', required: true })
  @ApiQuery({ name: 'provider', required: false })
  get(@Principal() key: KeyPrincipal, @Query('provider') provider?: string, @Query('model') model?: string) {
    if (!model) throw ApiError.invalidRequest('model is required');
    const card = this.showRateCard.execute({ organizationId: key.organizationId, model, ...(provider ? { provider } : {}) });
    return { provider: card.provider, model: card.model, current_version_id: card.current?.id ?? null, versions: card.versions.map(toApiVersion) };
  }

  @Post('sync')
  @HttpCode(200)
  @ApiOperation({ summary: "Fetch every configured source now (in this request); returns the sync's id and outcome" })
  async sync(@Principal() key: KeyPrincipal) {
    operatorOnly(key);
    return toApiSync(await this.syncRates.run());
  }

  @Get('syncs/:id')
  async getSync(@Param('id') id: string) {
    return toApiSync(await this.getRateSync.execute({ id }));
  }

  @Post('syncs/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a held sync: its prices are in force from now' })
  async approve(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    operatorOnly(key);
    return toApiSync(await this.approveRateSync.execute({ id }));
  }

  @Post('overrides')
  @ApiOperation({ summary: 'Negotiated prices: they win over list prices from effective_from (default now)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['provider', 'model', 'prices'],
      properties: {
        provider: { type: 'string' },
        model: { type: 'string' },
        prices: PRICES_SCHEMA,
        tiers: { type: 'array', items: { type: 'object', properties: { min_prompt_tokens: { type: 'integer' }, prices: PRICES_SCHEMA } } },
        effective_from: { type: 'string', format: 'date-time' },
      },
    },
  })
  async addOverride(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    const { provider, model, version } = await this.addRateOverride.execute({ organizationId: key.organizationId, ...readOverride(body) });
    return { provider, model, ...toApiVersion(version) };
  }

  @Put('aliases/:alias')
  @ApiOperation({ summary: 'Map another model name onto a rate card' })
  @ApiBody({ schema: { type: 'object', required: ['provider', 'model'], properties: { provider: { type: 'string' }, model: { type: 'string' } } } })
  async putAlias(@Principal() key: KeyPrincipal, @Param('alias') alias: string, @Body() body: unknown) {
    const row = await this.setRateAlias.execute({ organizationId: key.organizationId, ...readAliasTarget(alias, body) });
    return { alias: row.alias, provider: row.provider, model: row.model };
  }
}
