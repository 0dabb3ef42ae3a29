import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GetWebhookDelivery, ListWebhookDeliveries, ReplayWebhookDelivery, WEBHOOK_EVENT_TYPES } from '@tollgate/billing';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { encodeCursor } from '../common/pagination';
import { readWebhookDeliveriesQuery, type WebhookDeliveriesParams } from './webhook-deliveries-query';
import { toApiWebhookDelivery } from './webhook-json';

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
  @ApiQuery({ name: 'endpoint_id', required: false })
  @ApiQuery({ name: 'event', required: false, enum: [...WEBHOOK_EVENT_TYPES], description: 'an event type' })
  @ApiQuery({ name: 'event_id', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query() query: WebhookDeliveriesParams) {
    const page = await this.listDeliveries.execute({ organizationId: key.organizationId, ...readWebhookDeliveriesQuery(query) });
    return { data: page.deliveries.map(toApiWebhookDelivery), next_cursor: page.nextBefore === null ? null : encodeCursor(page.nextBefore) };
  }

  @Get(':id')
  async get(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return toApiWebhookDelivery(await this.getDelivery.execute({ organizationId: key.organizationId, id }));
  }

  @Post(':id/replay')
  @ApiOperation({ summary: 'Send the event again to the same endpoint: a new delivery, with its own attempts (409 endpoint_disabled)' })
  async replay(@Principal() key: KeyPrincipal, @Param('id') id: string) {
    return toApiWebhookDelivery(await this.replayDelivery.execute({ organizationId: key.organizationId, id }));
  }
}
