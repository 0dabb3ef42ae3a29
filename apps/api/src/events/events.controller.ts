import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { Responds, ValidBody, ValidQuery } from '../common/schema/validate';
import { EventList, IngestEnvelope, IngestRequest, IngestResponse, ListEventsQuery, type ListEventsFilter } from './event.schema';
import { IngestEventsService } from './ingest-events.service';
import { ListEventsService } from './list-events.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly ingest: IngestEventsService, private readonly events: ListEventsService) {}

  @Post()
  @Scopes('ingest')
  @ApiOperation({ summary: 'Record 1 to 1,000 usage events; each accepted event is committed before the reply' })
  @Responds(200, IngestResponse, 'One result per event; a problem inside an event rejects that event only')
  create(@Principal() key: KeyPrincipal, @ValidBody(IngestEnvelope, { documentedAs: IngestRequest }) body: z.output<typeof IngestEnvelope>) {
    return this.ingest.ingest(key.organizationId, body.events);
  }

  @Get()
  @Scopes('admin')
  @ApiOperation({ summary: 'List events as stored, with their pricing' })
  @Responds(200, EventList, 'Events in the order they were stored')
  list(@Principal() key: KeyPrincipal, @ValidQuery(ListEventsQuery) query: ListEventsFilter) {
    return this.events.list(key.organizationId, query);
  }
}
