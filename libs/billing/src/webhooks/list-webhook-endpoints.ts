import { Injectable } from '@nestjs/common';
import { WebhookEndpointsRepository, type WebhookEndpointRow } from '@tollgate/db';

export interface ListWebhookEndpointsQuery {
  organizationId: string;
  afterSeq: bigint | null;
  limit: number;
}

/** Endpoints (disabled ones too) in creation order; `nextAfter` is the last one's position when another page follows. */
@Injectable()
export class ListWebhookEndpoints {
  constructor(private readonly endpoints: WebhookEndpointsRepository) {}

  async execute({
    organizationId,
    afterSeq,
    limit,
  }: ListWebhookEndpointsQuery): Promise<{ endpoints: WebhookEndpointRow[]; nextAfter: bigint | null }> {
    const rows = await this.endpoints.list(organizationId, afterSeq, limit + 1);
    const page = rows.slice(0, limit);
    return { endpoints: page, nextAfter: rows.length > limit ? page[page.length - 1].seq : null };
  }
}
