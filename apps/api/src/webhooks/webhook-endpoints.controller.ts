import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CreateWebhookEndpoint, DisableWebhookEndpoint, GetWebhookEndpoint, ListWebhookEndpoints } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidBody, ValidPath, ValidQuery } from '../common/schema/validate';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointRequest,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointListQuery,
  WebhookEndpointPath,
} from './webhook.schema';
import { toApiWebhookEndpoint } from './webhook-json';

type Path = z.output<typeof WebhookEndpointPath>;

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
  @Responds(201, CreatedWebhookEndpoint, 'The endpoint and its secret')
  async create(
    @Principal() key: KeyPrincipal,
    @ValidBody(CreateWebhookEndpointRequest) body: z.output<typeof CreateWebhookEndpointRequest>,
  ) {
    const endpoint = await this.createEndpoint.execute({
      organizationId: key.organizationId,
      url: body.url,
      events: body.events,
      description: body.description ?? null,
    });
    return { ...toApiWebhookEndpoint(endpoint), secret: endpoint.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Webhook endpoints in creation order, disabled ones too (never their secrets)' })
  @Responds(200, WebhookEndpointList, 'A page of endpoints')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(WebhookEndpointListQuery) q: z.output<typeof WebhookEndpointListQuery>) {
    const page = await this.listEndpoints.execute({
      organizationId: key.organizationId,
      afterSeq: q.cursor === undefined ? null : BigInt(q.cursor),
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return { data: page.endpoints.map(toApiWebhookEndpoint), next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A webhook endpoint (never its secret)' })
  @Responds(200, WebhookEndpoint, 'The endpoint')
  async get(@Principal() key: KeyPrincipal, @ValidPath(WebhookEndpointPath) { id }: Path) {
    return toApiWebhookEndpoint(await this.getEndpoint.execute({ organizationId: key.organizationId, id }));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Disable an endpoint: nothing more is sent to it, its pending deliveries are canceled; its deliveries stay listable',
  })
  @Responds(200, WebhookEndpoint, 'The endpoint, disabled')
  async disable(@Principal() key: KeyPrincipal, @ValidPath(WebhookEndpointPath) { id }: Path) {
    return toApiWebhookEndpoint(await this.disableEndpoint.execute({ organizationId: key.organizationId, id }));
  }
}
