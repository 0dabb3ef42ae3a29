import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IngestEvents, ListEvents, RetryQuarantinedBatches } from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { KeyPrincipal } from '@tollgate/db';
import { Principal } from '../auth/principal.decorator';
import { Scopes } from '../auth/scopes.decorator';
import { Metrics } from '../common/metrics';
import { EVENT_SCHEMA } from './event.schema';
import { ListEventsParams, readListEventsQuery, toApiEventPage } from './events-json';
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
  @HttpCode(200)
  @Scopes('ingest')
  @ApiOperation({ summary: 'Record 1 to 1,000 usage events; each accepted event is committed before the reply' })
  @ApiBody({ schema: { type: 'object', required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 1000, items: EVENT_SCHEMA } } } })
  async create(@Principal() key: KeyPrincipal, @Body() body: unknown) {
    const window = { now: Date.now(), maxFutureMs: this.config.maxFutureMs, backfillMs: this.config.backfillMs };
    const results = await this.ingestEvents.execute(readIngestRequest(key.organizationId, body, window));
    this.metrics.countIngested(results);
    return { results };
  }

  @Get()
  @Scopes('admin')
  @ApiOperation({ summary: 'List events as stored, with their pricing (a quarantined batch\'s events are unpriced, with the reason)' })
  @ApiQuery({ name: 'external_customer_id', required: false })
  @ApiQuery({ name: 'transaction_id', required: false })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'model', required: false })
  @ApiQuery({ name: 'pricing_status', required: false, enum: ['pending', 'priced', 'unpriced'] })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Principal() key: KeyPrincipal, @Query() query: ListEventsParams) {
    return toApiEventPage(await this.listEvents.execute(readListEventsQuery(key.organizationId, query)));
  }

  @Post('quarantine/retry')
  @HttpCode(200)
  @Scopes('admin')
  @ApiOperation({ summary: 'Price again the batches quarantined after failing PRICE_MAX_ATTEMPTS times in a row; their events go back to pending' })
  retry(@Principal() key: KeyPrincipal) {
    return this.retryQuarantined.execute({ organizationId: key.organizationId });
  }
}
