import { Injectable } from '@nestjs/common';
import { WebhookDeliveriesRepository, type WebhookDeliveryRow } from '@tollgate/db';
import type { WebhookEventType } from './event-types';
import { isUuid } from './ids';

export interface ListWebhookDeliveriesQuery {
  organizationId: string;
  endpointId?: string;
  eventType?: WebhookEventType;
  eventId?: string;
  /** The page after the delivery at this position (newest first). */
  beforeSeq: bigint | null;
  limit: number;
}

/** Deliveries newest first, each with every attempt; `nextBefore` is the last one's position when another page follows. */
@Injectable()
export class ListWebhookDeliveries {
  constructor(private readonly deliveries: WebhookDeliveriesRepository) {}

  async execute(q: ListWebhookDeliveriesQuery): Promise<{ deliveries: WebhookDeliveryRow[]; nextBefore: bigint | null }> {
    // An id that is no UUID matches nothing.
    if ((q.endpointId !== undefined && !isUuid(q.endpointId)) || (q.eventId !== undefined && !isUuid(q.eventId)))
      return { deliveries: [], nextBefore: null };
    const rows = await this.deliveries.list(
      q.organizationId,
      { endpointId: q.endpointId, eventType: q.eventType, eventId: q.eventId, ...(q.beforeSeq === null ? {} : { beforeSeq: q.beforeSeq }) },
      q.limit + 1,
    );
    const page = rows.slice(0, q.limit);
    return { deliveries: page, nextBefore: rows.length > q.limit ? page[page.length - 1].seq : null };
  }
}
