import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CreateWebhookEndpoint, DisableWebhookEndpoint, GetWebhookEndpoint, ListWebhookEndpoints, WEBHOOK_EVENT_TYPES } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { decodeCursor, encodeCursor, parseLimit } from '../common/pagination';
import { readWebhookEndpointInput } from './webhook-endpoint-input';
import { toApiWebhookEndpoint } from './webhook-json';

const ENDPOINT_SCHEMA = {
  type: 'object',
  required: ['url', 'events'],
  properties: {
    url: { type: 'string', format: 'uri', example: 'https://example.com/tollgate/webhooks', description: 'http or https; localhost and private addresses are allowed' },
    events: { type: 'array', minItems: 1, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
    description: { type: 'string', maxLength: 255 },
  },
};

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook_endpoints')
@Scopes('admin')
export class WebhookEndpointsController {
  constructor(
    private readonly createEndpoint: CreateWebhookEndpoint,
    private readonly listEndpoints: ListWebhookEndpoints,
    private readonly getEndpoint: GetWebhookEndpoint,
    private readonly disableEndpoint: DisableWebhookEndpoint,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a webhook endpoint; the answer shows its signing secret (whsec_…), once' })
  @ApiBody({ schema: ENDPOINT_SCHEMA })
  async create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    const input = readWebhookEndpointInput(body);
    const endpoint = await this.createEndpoint.execute({ organizationId: key.organizationId, ...input });
    return { ...toApiWebhookEndpoint(endpoint), secret: endpoint.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Webhook endpoints in creation order, disabled ones too (never their secrets)' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const page = await this.listEndpoints.execute({ organizationId: key.organizationId, afterSeq: cursor ? BigInt(decodeCursor(cursor)) : null, limit: parseLimit(limit) });
    return { data: page.endpoints.map(toApiWebhookEndpoint), next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  @Get(':id')
  async get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return toApiWebhookEndpoint(await this.getEndpoint.execute({ organizationId: key.organizationId, id }));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Disable an endpoint: nothing more is sent to it, its pending deliveries are canceled; its deliveries stay listable' })
  async disable(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return toApiWebhookEndpoint(await this.disableEndpoint.execute({ organizationId: key.organizationId, id }));
  }
}
