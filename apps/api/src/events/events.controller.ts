import { Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { IngestEvents, ListEvents, RetryQuarantinedBatches } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { Metrics } from '../common/metrics';
import { Responds, ValidBody, ValidQuery } from '../common/schema/validate';
import {
  EventList,
  IngestEnvelope,
  IngestRequest,
  IngestResponse,
  ListEventsQuery,
  QuarantineRetried,
  type ListEventsFilter,
} from './event.schema';
import { readListEventsQuery, toApiEventPage } from './events-json';
import { readIngestRequest } from './ingest-request';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly ingestEvents: IngestEvents,
    private readonly listEvents: ListEvents,
    private readonly retryQuarantined: RetryQuarantinedBatches,
    private readonly metrics: Metrics,
    @Inject(CONFIG) private readonly config: TollgateConfig,
  ) {}

  @Post()
  @Scopes('ingest')
  @ApiOperation({ summary: 'Record 1 to 1,000 usage events; each accepted event is committed before the reply' })
  @Responds(200, IngestResponse, 'One result per event; a problem inside an event rejects that event only')
  async create(
    @Principal() key: KeyPrincipal,
    @ValidBody(IngestEnvelope, { documentedAs: IngestRequest }) body: z.output<typeof IngestEnvelope>,
  ) {
    const window = { now: Date.now(), maxFutureMs: this.config.maxFutureMs, backfillMs: this.config.backfillMs };
    const results = await this.ingestEvents.execute(readIngestRequest(key.organizationId, body.events, window));
    this.metrics.countIngested(results);
    return { results };
  }

  @Get()
  @Scopes('admin')
  @ApiOperation({ summary: "List events as stored, with their pricing (a quarantined batch's events are unpriced, with the reason)" })
  @Responds(200, EventList, 'Events in the order they were stored')
  async list(@Principal() key: KeyPrincipal, @ValidQuery(ListEventsQuery) query: ListEventsFilter) {
    return toApiEventPage(await this.listEvents.execute(readListEventsQuery(key.organizationId, query)));
  }

  @Post('quarantine/retry')
  @Scopes('admin')
  @ApiOperation({
    summary: 'Price again the batches quarantined after failing PRICE_MAX_ATTEMPTS times in a row; their events go back to pending',
  })
  @Responds(200, QuarantineRetried, 'How many batches and events went back to pending')
  retry(@Principal() key: KeyPrincipal) {
    return this.retryQuarantined.execute({ organizationId: key.organizationId });
  }
}
