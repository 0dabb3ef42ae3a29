import { Injectable } from '@nestjs/common';
import { EventFilter, EventsRepository, StoredEvent } from '@tollgate/db';

export type ListEventsQuery = EventFilter;

export interface EventPage {
  events: StoredEvent[];
  /** The last event's id when another page follows. */
  nextAfterId: string | null;
}

/**
 * Events as stored, in insertion order, paged on that order, so paging never skips or repeats an event while
 * new ones arrive. A quarantined batch's events show as unpriced with the quarantine's reason.
 */
@Injectable()
export class ListEvents {
  constructor(private readonly events: EventsRepository) {}

  async execute(query: ListEventsQuery): Promise<EventPage> {
    const rows = await this.events.list(query);
    const page = rows.slice(0, query.limit);
    return { events: page, nextAfterId: rows.length > query.limit ? page[page.length - 1].id : null };
  }
}
