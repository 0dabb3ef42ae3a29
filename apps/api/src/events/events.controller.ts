import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { EVENT_SCHEMA } from './event.schema';
import { IngestEventsService } from './ingest-events.service';
import { ListEventsQuery, ListEventsService } from './list-events.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly ingest: IngestEventsService, private readonly events: ListEventsService) {}

  @Post()
  @HttpCode(200)
  @Scopes('ingest')
  @ApiOperation({ summary: 'Record 1 to 1,000 usage events; each accepted event is committed before the reply' })
  @ApiBody({ schema: { type: 'object', required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 1000, items: EVENT_SCHEMA } } } })
  create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    return this.ingest.ingest(key.organizationId, body);
  }

  @Get()
  @Scopes('admin')
  @ApiOperation({ summary: 'List events as stored, with their pricing' })
  @ApiQuery({ name: 'external_customer_id', required: false })
  @ApiQuery({ name: 'transaction_id', required: false })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'model', required: false })
  @ApiQuery({ name: 'pricing_status', required: false, enum: ['pending', 'priced', 'unpriced'] })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  list(@Principal() key: KeyPrincipal, @Query() query: ListEventsQuery) {
    return this.events.list(key.organizationId, query);
  }
}
