import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { ApiError } from '../common/api-error';
import { RatesService } from './rates.service';

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
  constructor(private readonly rates: RatesService) {}

  @Get()
  @ApiOperation({ summary: 'The rate card an event of this model is priced with: the version in force now and its history' })
  @ApiQuery({ name: 'model', required: true })
  @ApiQuery({ name: 'provider', required: false })
  get(@Principal() key: KeyPrincipal, @Query('provider') provider?: string, @Query('model') model?: string) {
    return this.rates.get(key.organizationId, provider, model);
  }

  @Post('sync')
  @HttpCode(200)
  @ApiOperation({ summary: "Fetch every configured source now (in this request); returns the sync's id and outcome" })
  sync(@Principal() key: KeyPrincipal) {
    operatorOnly(key);
    return this.rates.sync();
  }

  @Get('syncs/:id')
  getSync(@Param('id') id: string) {
    return this.rates.getSync(id);
  }

  @Post('syncs/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a held sync: its prices are in force from now' })
  approve(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    operatorOnly(key);
    return this.rates.approve(id);
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
  addOverride(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    return this.rates.addOverride(key.organizationId, body);
  }

  @Put('aliases/:alias')
  @ApiOperation({ summary: 'Map another model name onto a rate card' })
  @ApiBody({ schema: { type: 'object', required: ['provider', 'model'], properties: { provider: { type: 'string' }, model: { type: 'string' } } } })
  putAlias(@Principal() key: KeyPrincipal, @Param('alias') alias: string, @Body() body: unknown) {
    return this.rates.putAlias(key.organizationId, alias, body);
  }
}
