import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { GetWebhookDelivery, ListWebhookDeliveries, ReplayWebhookDelivery } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { DEFAULT_LIMIT, encodeCursor } from '../common/schema/primitives';
import { Responds, ValidPath, ValidQuery } from '../common/schema/validate';
import { WebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryList, WebhookDeliveryPath } from './webhook.schema';
import { toApiWebhookDelivery } from './webhook-json';

type Path = z.output<typeof WebhookDeliveryPath>;

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook_deliveries')
@Scopes('admin')
export class WebhookDeliveriesController {
  constructor(
    private readonly listDeliveries: ListWebhookDeliveries,
    private readonly getDelivery: GetWebhookDelivery,
    private readonly replayDelivery: ReplayWebhookDelivery,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Deliveries, newest first, each with every attempt (status code, duration, error, next attempt)' })
  @Responds(200, WebhookDeliveryList, 'A page of deliveries')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(WebhookDeliveriesQuery) q: z.output<typeof WebhookDeliveriesQuery>) {
    const page = await this.listDeliveries.execute({
      organizationId: key.organizationId,
      endpointId: q.endpoint_id,
      eventType: q.event,
      eventId: q.event_id,
      beforeSeq: q.cursor === undefined ? null : BigInt(q.cursor),
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    return {
      data: page.deliveries.map(toApiWebhookDelivery),
      next_cursor: page.nextBefore === null ? null : encodeCursor(page.nextBefore),
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A delivery and every attempt' })
  @Responds(200, WebhookDelivery, 'The delivery')
  async get(@Principal() key: KeyPrincipal, @ValidPath(WebhookDeliveryPath) { id }: Path) {
    return toApiWebhookDelivery(await this.getDelivery.execute({ organizationId: key.organizationId, id }));
  }

  @Post(':id/replay')
  @ApiOperation({ summary: 'Send the event again to the same endpoint: a new delivery, with its own attempts' })
  @Responds(201, WebhookDelivery, 'The new delivery', { 409: ['endpoint_disabled'] })
  async replay(@Principal() key: KeyPrincipal, @ValidPath(WebhookDeliveryPath) { id }: Path) {
    return toApiWebhookDelivery(await this.replayDelivery.execute({ organizationId: key.organizationId, id }));
  }
}
